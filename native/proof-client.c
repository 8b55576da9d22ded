/*
 * local-lto's proof client (docs/ARCHITECTURE.md, "The proof server"). A repeated `local-lto
 * build` runs rustc from the launcher (bin/local-lto); what comes after rustc (the proof, the
 * report, the outputs) is Node's. Starting Node costs ~95 ms of CPU per build; this client hands the
 * work to a Node process that outlives the build instead (src/cli/proofServerMain.ts), over a Unix
 * socket, and falls back to starting Node itself whenever that server cannot be reached.
 *
 *   proof-client <command> <dir> <node> <script> <arguments…>
 *
 * <command>: `replay`, a repeated `local-lto build` (<script> is replayMain.mjs); `rustc-proof`,
 * the rustc mode's proof after the launcher's rustc (<script> is rustcMain.mjs); or `prepare`, a
 * first `local-lto build`, whose entry the server writes for the launcher to repeat it from at once
 * (src/pipeline/plugin/prepareReplay.ts; <script> is main.mjs, which this client never starts: it
 * exits 0 when the entry is written, 1 when the launcher's Node must build, 128+n when stopped).
 * <dir>: local-lto's cache directory, where the server's socket is.
 *
 * In C because a POSIX shell cannot open a Unix socket, and the point is not to start Node.
 * Wire format: src/cli/proofServer/protocol.ts. Fallbacks:
 *   A (before rustc's status was read): exec <node> <script> <arguments…>, exactly what the
 *     launcher ran before this client existed; a replay's standard input still carries rustc's status.
 *   B (a replay: the server read the status and cannot finish the build from the entry): exec
 *     <node> <main script beside it> <arguments…> without the launcher's stage, as the replay's
 *     Node does (src/cli/replayMain.ts), so the build runs as usual.
 * The server is started here, detached, when no server answers (start_server).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *node_path, *node_script;
static int rustc_proof; /* the rustc mode's proof: no status to read; a signal ends this process */
static int preparing; /* a first build's preparation: no status to read; every fallback is the launcher's */
static int stopped_by; /* a signal received and passed to the server */
/* After a stop, how long the server may take to end the build (it answers at once when it runs). */
static const int stop_ms = 5000;
static long long stop_deadline = -1;
static char **user_args;
static int user_argc;
static int tracing;
static int signal_pipe[2] = {-1, -1};

static void trace(const char *fmt, ...) {
	if (!tracing) return;
	va_list ap;
	va_start(ap, fmt);
	fputs("local-lto launcher: proof-server ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Runs the Node script `script` (with local-lto's arguments) in place of this process. */
static void exec_node(const char *script) {
	char **argv = calloc((size_t)user_argc + 3, sizeof *argv);
	if (!argv) _exit(70);
	argv[0] = (char *)node_path;
	argv[1] = (char *)script;
	for (int i = 0; i < user_argc; i++) argv[i + 2] = user_args[i];
	execvp(node_path, argv);
	fprintf(stderr, "local-lto: cannot start %s: %s\n", node_path, strerror(errno));
	_exit(127);
}

static const char *signal_name(int sig);

/*
 * A stop received before a fallback is this build's end: the launcher stops its rustc, and the
 * Node started now would never see the signal (it took a killed rustc for a failed compile and
 * built again, once). Nothing was started for this build, so nothing changed.
 */
static void stop_if_stopped(void) {
	if (!stopped_by) return;
	fprintf(stderr, "local-lto: stopped by %s; no output was changed\n", signal_name(stopped_by));
	exit(128 + stopped_by);
}

static void fallback_node(const char *why) {
	stop_if_stopped();
	trace("fallback %s", why);
	/* The launcher starts Node itself (its `build node` decision): nothing of the build started here. */
	if (preparing) exit(1);
	exec_node(node_script);
}

/* The file beside the replay script: `main.mjs` beside `replayMain.mjs`, `main.js` beside `replayMain.js`. */
static char *sibling(const char *name) {
	const char *slash = strrchr(node_script, '/');
	size_t dir = slash ? (size_t)(slash - node_script) + 1 : 0;
	const char *ext = strrchr(node_script, '.');
	if (!ext || (slash && ext < slash)) ext = "";
	char *path = malloc(dir + strlen(name) + strlen(ext) + 1);
	if (!path) _exit(70);
	memcpy(path, node_script, dir);
	strcpy(path + dir, name);
	strcat(path, ext);
	return path;
}

static void fallback_build(const char *why) {
	stop_if_stopped();
	trace("fallback-build %s", why);
	unsetenv("LOCAL_LTO_REPLAY_STAGE");
	unsetenv("LOCAL_LTO_REPLAY_ENTRY");
	exec_node(sibling("main"));
}

static int write_all(int fd, const void *data, size_t length);

/*
 * The server went away (killed, or a bug) before anything of this build's answer reached the
 * user: the build is not lost with it. rustc has ended and its object is still in the launcher's
 * staging directory (the server removes it only once it has published), so the replay's own Node
 * proves and publishes it, as when no server runs; it reads rustc's status, which this client took
 * from standard input, from a pipe that holds it. A proof that killed the server fails in Node too,
 * where it is reported as what it is.
 */
static void prove_in_node(const char *why, const char *status, size_t length) {
	if (rustc_proof) fallback_node(why);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0 || write_all(p[1], status, length) < 0 || dup2(p[0], 0) < 0) return;
	close(p[1]);
	fallback_node(why);
}

static int write_all(int fd, const void *data, size_t length) {
	const char *p = data;
	while (length > 0) {
		ssize_t n = write(fd, p, length);
		if (n < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		p += n;
		length -= (size_t)n;
	}
	return 0;
}

static int send_frame(int sock, char type, const void *payload, uint32_t length) {
	unsigned char header[5] = {(unsigned char)type, length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, (length >> 24) & 0xff};
	if (write_all(sock, header, sizeof header) < 0) return -1;
	return length ? write_all(sock, payload, length) : 0;
}

/* How long the server may take to take a request (it answers at once when it can): past it, Node. */
static const int answer_ms = 3000;

static long long now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static unsigned long long fnv1a(unsigned long long hash, const char *text) {
	for (; *text; text++) hash = (hash ^ (unsigned char)*text) * 1099511628211ull;
	return (hash ^ 0xff) * 1099511628211ull;
}

static void on_signal(int sig) {
	unsigned char s = (unsigned char)sig;
	int saved = errno;
	(void)!write(signal_pipe[1], &s, 1);
	errno = saved;
}

static const char *signal_name(int sig) {
	return sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
}

/*
 * Passes a signal this client received on to the server, which stops a replay (exit 128+n). The
 * rustc mode's proof is not stopped that way: its Node would end by the signal, and so does this
 * client (Cargo and make see a compile killed); the server finishes or abandons the proof.
 */
static void forward_signals(int sock) {
	unsigned char s;
	while (read(signal_pipe[0], &s, 1) == 1) {
		if (rustc_proof) {
			signal(s, SIG_DFL);
			raise(s);
		}
		if (!stopped_by) {
			stopped_by = s;
			stop_deadline = now_ms() + stop_ms;
		}
		const char *name = signal_name(s);
		send_frame(sock, 'K', name, (uint32_t)strlen(name));
	}
}

/* Waits until `fd` is readable (1), passing signals on meanwhile, or until `deadline` (0; -1: none). */
static int wait_readable(int fd, int sock, long long deadline) {
	for (;;) {
		struct pollfd fds[2] = {{fd, POLLIN, 0}, {signal_pipe[0], POLLIN, 0}};
		/* Once stopped, the server's socket is waited for stop_ms at most (stop_deadline). */
		long long until = fd == sock && stop_deadline >= 0 && (deadline < 0 || stop_deadline < deadline) ? stop_deadline : deadline;
		int wait = until < 0 ? -1 : (int)(until > now_ms() ? until - now_ms() : 0);
		int n = poll(fds, 2, wait);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) return 1;
		if (n == 0) return 0;
		if (fds[1].revents) forward_signals(sock);
		if (fds[0].revents) return 1;
	}
}

/* Reads exactly `length` bytes; 0 at a clean end before any, -1 on error, a cut or the deadline. */
static int read_exact(int sock, void *buffer, size_t length, long long deadline) {
	char *p = buffer;
	size_t got = 0;
	while (got < length) {
		if (!wait_readable(sock, sock, deadline)) return -1;
		ssize_t n = read(sock, p + got, length - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
		if (n <= 0) return got == 0 && n == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

struct frame {
	char type;
	uint32_t length;
	char *payload;
};

static int read_frame(int sock, struct frame *frame, long long deadline) {
	unsigned char header[5];
	int r = read_exact(sock, header, sizeof header, deadline);
	if (r <= 0) return -1;
	frame->type = (char)header[0];
	frame->length = header[1] | (header[2] << 8) | (header[3] << 16) | ((uint32_t)header[4] << 24);
	if (frame->length > 16u * 1024 * 1024) return -1;
	frame->payload = malloc(frame->length + 1);
	if (!frame->payload) return -1;
	if (frame->length && read_exact(sock, frame->payload, frame->length, deadline) <= 0) return -1;
	frame->payload[frame->length] = 0;
	return 0;
}

/* A growing buffer of NUL-terminated fields: the request's payload (protocol.ts, encodeRequest). */
struct fields {
	char *data;
	size_t length, capacity;
};

static void add_field(struct fields *f, const char *text) {
	size_t n = strlen(text) + 1;
	if (f->length + n > f->capacity) {
		f->capacity = (f->length + n) * 2;
		f->data = realloc(f->data, f->capacity);
		if (!f->data) _exit(70);
	}
	memcpy(f->data + f->length, text, n);
	f->length += n;
}

static void add_count(struct fields *f, long n) {
	char text[32];
	snprintf(text, sizeof text, "%ld", n);
	add_field(f, text);
}

/*
 * Starts the server, detached (its own session; no descriptor of this build: a make or a pipe
 * waiting for its end must not wait for the server), unless another client has just started one
 * (`<name>.start`, created exclusively; the server removes it once it listens; one older than
 * 30 s is a server that failed to start).
 */
static void start_server(const char *dir, const char *name, const char *server) {
	char start[PATH_MAX];
	if (snprintf(start, sizeof start, "%s/%s.start", dir, name) >= (int)sizeof start) return;
	/* The very first build in a new cache directory starts the server too (Node makes the rest). */
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) return;
	int fd = open(start, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		struct stat st;
		if (errno != EEXIST || stat(start, &st) < 0 || time(NULL) - st.st_mtime < 30) return;
		unlink(start);
		fd = open(start, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) return;
	}
	close(fd);
	pid_t child = fork();
	if (child < 0) return;
	if (child == 0) {
		setsid();
		if (fork() != 0) _exit(0);
		if (chdir(dir) < 0) _exit(1);
		int null = open("/dev/null", O_RDWR);
		if (null < 0) _exit(1);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		/* Every other descriptor (a make's jobserver pipe, a build tool's log), however high. */
		if (close_range(3, ~0U, 0) < 0) {
			long most = sysconf(_SC_OPEN_MAX);
			for (long i = 3; i < (most > 0 && most < 65536 ? most : 65536); i++) close((int)i);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_IGN);
		/* What names this build alone: each request brings its own. */
		static const char *const per_build[] = {"LOCAL_LTO_REPLAY_STAGE", "LOCAL_LTO_REPLAY_ENTRY", "LOCAL_LTO_POST_RECORD", "LOCAL_LTO_LAUNCH_TEXT", "LOCAL_LTO_LAUNCH_ENTRY", "LOCAL_LTO_LAUNCH_PWD", "LOCAL_LTO_VIA_LAUNCHER", "LOCAL_LTO_LAUNCHER_TRACE", "LOCAL_LTO_PREPARE_STAGE"};
		for (size_t i = 0; i < sizeof per_build / sizeof *per_build; i++) unsetenv(per_build[i]);
		execlp(node_path, node_path, server, name, (char *)NULL);
		_exit(127);
	}
	waitpid(child, NULL, 0);
	trace("start");
}

static int is_directory(const char *dir, const char *name) {
	char path[PATH_MAX];
	struct stat st;
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return 0;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv) {
	if (argc < 5 || (strcmp(argv[1], "replay") != 0 && strcmp(argv[1], "rustc-proof") != 0 && strcmp(argv[1], "prepare") != 0)) {
		fputs("usage: proof-client replay|rustc-proof|prepare <dir> <node> <script> <arguments…>\n", stderr);
		return 2;
	}
	const char *command = argv[1];
	rustc_proof = strcmp(command, "rustc-proof") == 0;
	preparing = strcmp(command, "prepare") == 0;
	const char *dir = argv[2];
	node_path = argv[3];
	node_script = argv[4];
	user_args = argv + 5;
	user_argc = argc - 5;
	tracing = getenv("LOCAL_LTO_LAUNCHER_TRACE") && *getenv("LOCAL_LTO_LAUNCHER_TRACE");
	const char *off = getenv("LOCAL_LTO_NO_SERVER");
	if (off && *off) fallback_node("off");
	/* DEBUG's log is written by the process that does the work: Node's own, with the build's stderr. */
	const char *debug = getenv("DEBUG");
	if (debug && *debug) fallback_node("debug");

	/* The server's name: this local-lto's server bundle, by file identity (a rebuilt or upgraded
	   local-lto gets its own server; the old one exits idle). */
	char *server = sibling("proofServer");
	struct stat st;
	if (stat(server, &st) < 0) fallback_node("no-server-bundle");
	/* …and by the Node that runs it: LOCAL_LTO_NODE and NODE_OPTIONS as this build would start it. */
	const char *options = getenv("NODE_OPTIONS");
	unsigned long long node_hash = fnv1a(fnv1a(14695981039346656037ull, node_path), options ? options : "");
	char name[96];
	snprintf(name, sizeof name, "proof-%llx-%llx-%lx-%llx.sock", (unsigned long long)st.st_ino, (unsigned long long)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec, node_hash & 0xffffffffull);

	/* The directory's path may be longer than a socket address holds: connect by a name relative to it. */
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd)) fallback_node("no-cwd");
	int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (here < 0) fallback_node("no-cwd");
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0) fallback_node("no-socket");
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	strncpy(address.sun_path, name, sizeof address.sun_path - 1);
	int connected = -1, error = ENOENT;
	if (chdir(dir) == 0) {
		connected = connect(sock, (struct sockaddr *)&address, sizeof address);
		error = errno;
	}
	if (fchdir(here) < 0) fallback_node("no-cwd");
	close(here);
	if (connected < 0) {
		/* A directory at the name (not local-lto's) would defeat every server started: start none. */
		if (is_directory(dir, name)) fallback_node("socket-name-is-a-directory");
		if (error == ENOENT || error == ECONNREFUSED) start_server(dir, name, server);
		fallback_node("no-server");
	}

	/* From here a signal is the server's to act on (it stops the build and says so). */
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) fallback_node("no-pipe");
	struct sigaction action = {.sa_handler = on_signal};
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGHUP, &action, NULL);

	struct fields request = {0};
	add_field(&request, "LLTO-PROOF-1");
	add_field(&request, command);
	add_field(&request, cwd);
	mode_t mask = umask(0);
	umask(mask);
	char mask_text[8];
	snprintf(mask_text, sizeof mask_text, "%o", (unsigned)mask);
	add_field(&request, mask_text);
	add_field(&request, isatty(1) ? "1" : "0");
	add_field(&request, isatty(2) ? "1" : "0");
	add_count(&request, user_argc);
	for (int i = 0; i < user_argc; i++) add_field(&request, user_args[i]);
	long envc = 0;
	for (char **e = environ; *e; e++) envc++;
	add_count(&request, envc);
	for (char **e = environ; *e; e++) add_field(&request, *e);
	if (send_frame(sock, 'R', request.data, (uint32_t)request.length) < 0) fallback_node("send");

	/* A server that does not answer at once (stopped, or stuck) is not waited for: nothing of this
	   build has started in it, and it starts nothing for a client that is gone. */
	struct frame frame;
	if (read_frame(sock, &frame, now_ms() + answer_ms) < 0) fallback_node("no-answer");
	if (frame.type == 'F') fallback_node(frame.payload);
	if (frame.type != 'G') fallback_node("unexpected-answer");
	trace("connected");

	/* rustc's status: one line on standard input when the launcher's rustc ends (a replay's). */
	char status[64];
	size_t got = 0;
	while (!rustc_proof && !preparing) {
		wait_readable(0, sock, -1);
		ssize_t n = read(0, status + got, sizeof status - 1 - got);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break;
		got += (size_t)n;
		if (got == sizeof status - 1) break;
	}
	if (!preparing && send_frame(sock, 'S', status, (uint32_t)got) < 0) prove_in_node("server-gone", status, got);

	int closed_out = 0, closed_err = 0, answered = 0;
	for (;;) {
		if (read_frame(sock, &frame, -1) < 0) {
			/* A preparation changes no output: Node builds instead (or the stop ends the build). */
			if (preparing) fallback_node("server-gone");
			if (stopped_by) {
				fprintf(stderr, "local-lto: stopped by %s; the proof server did not confirm the stop in time (each output is either as it was or complete)\n", signal_name(stopped_by));
				return 128 + stopped_by;
			}
			if (!answered) prove_in_node("server-gone", status, got);
			/* Part of the answer is out: Node would print it again. */
			fprintf(stderr, "local-lto: the proof server stopped while it answered this build (killed, or a bug in local-lto: %s/proof-server.log may say why); each output is either as it was or complete: build again, or set LOCAL_LTO_NO_SERVER=1 to build without it\n", dir);
			return 70;
		}
		answered = answered || frame.type == 'O' || frame.type == 'E';
		switch (frame.type) {
		case 'O':
			/* A reader that went away (`| head`) is not the build's failure (exitWhenWritten.ts). */
			if (!closed_out && write_all(1, frame.payload, frame.length) < 0) closed_out = 1;
			break;
		case 'E':
			if (!closed_err && write_all(2, frame.payload, frame.length) < 0) closed_err = 1;
			break;
		case 'X':
			if (preparing) {
				stop_if_stopped();
				trace("prepared");
				/* The launcher's staging directory, made here (the entry's name is on stdout already):
				   one `mkdir` process less before rustc starts. Its line says so; one already there
				   (a killed launcher's) is left to the launcher, which then builds in Node. */
				const char *stage = getenv("LOCAL_LTO_PREPARE_STAGE");
				if (stage && *stage && mkdir(stage, 0777) == 0 && !closed_out) write_all(1, "\nstaged\n", 8);
			}
			return atoi(frame.payload);
		case 'F':
			if (rustc_proof || preparing) fallback_node(frame.payload);
			fallback_build(frame.payload);
			break;
		default:
			fputs("local-lto: the proof server answered out of turn (a bug in local-lto); set LOCAL_LTO_NO_SERVER=1 to build without it\n", stderr);
			return 70;
		}
		free(frame.payload);
	}
}
