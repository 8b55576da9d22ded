// local-lto's LLVM pass plugin for rustc (docs/PLUGIN.md).
//
// rustc loads it with `-Zllvm-plugins=<dir>/libllto_plugin.so`. Once per codegen unit, at the
// start of rustc's optimisation pipeline (before the inliner), it links into the module the C
// helpers that the module declares, from `<dir>/helpers.bc`, and makes them internal. rustc's own
// inliner, pipeline and parallel code generation do the rest.
//
// The same library, loaded by rust-lld on local-lto's link path (`--load-pass-plugin`, stable
// rustc: no unstable option), gives the pass pipeline a scope: with LOCAL_LTO_PASS_SCOPE set,
// function and loop passes run only on the functions that file names (helpers and their Rust
// callers), so Rust code that calls no helper stays as rustc optimised it (docs/INLINING.md).
//
// Deliberately minimal: which helpers are in helpers.bc, whether they are safe to copy into every
// object, and their attributes are decided in TypeScript before rustc starts (one implementation
// of every rule). This file only links, internalizes and records.
//
// Built against the LLVM headers of the same major as rustc's LLVM, with -fno-rtti, and linked
// without libLLVM: its LLVM symbols bind to rustc's own libLLVM when rustc loads it.

#if __has_include("llvm/Plugins/PassPlugin.h")
#include "llvm/Plugins/PassPlugin.h" // LLVM 22 moved it here
#else
#include "llvm/Passes/PassPlugin.h"
#endif
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Any.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Analysis/LazyCallGraph.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Attributes.h"
#include "llvm/IR/DiagnosticHandler.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef LOCAL_LTO_PLUGIN_VERSION
#define LOCAL_LTO_PLUGIN_VERSION "dev"
#endif

using namespace llvm;

namespace {

// Every message starts with this, so local-lto can tell the plugin's failures from rustc's own
// (rustc prints them as `LLVM ERROR: local-lto plugin: …` and exits with 101).
constexpr const char *MessagePrefix = "local-lto plugin: ";

[[noreturn]] void fail(const Twine &Message) {
  report_fatal_error(Twine(MessagePrefix) + Message, /*gen_crash_diag=*/false);
}

// The helper bitcode is found from the plugin's own path, not from an option: rustc tracks the
// `-Zllvm-plugins` path for incremental builds but not files the plugin reads, and `-Cllvm-args`
// are parsed before plugins load. local-lto puts `helpers.bc` beside a link to the plugin, in a
// directory named by the bitcode's content hash, so the path rustc tracks names the helpers.
// LOCAL_LTO_PLUGIN_HELPERS overrides it, for tests (rustc does not see a change of it).
std::string findHelperBitcode() {
  if (const char *Override = std::getenv("LOCAL_LTO_PLUGIN_HELPERS"); Override && *Override)
    return Override;
  Dl_info Info;
  // dladdr names the file as it was given to dlopen (a link's own path, not its target's).
  if (!dladdr(reinterpret_cast<void *>(&findHelperBitcode), &Info) || !Info.dli_fname)
    fail("cannot find the plugin's own path (dladdr failed); set LOCAL_LTO_PLUGIN_HELPERS");
  std::string Path = Info.dli_fname;
  size_t Slash = Path.rfind('/');
  return (Slash == std::string::npos ? std::string(".") : Path.substr(0, Slash)) + "/helpers.bc";
}

// LOCAL_LTO_PLUGIN_WAIT_MS=<ms>: `local-lto build` starts rustc before the helpers are ready (they
// are vetted and reconciled while rustc parses and type-checks), and publishes helpers.bc by an
// atomic rename. The first unit that needs them waits for the file, at most that long, and gives
// up at once if local-lto (rustc's parent) went away. Without the variable the file must exist.
void waitForHelperBitcode(const std::string &Path) {
  const char *Wait = std::getenv("LOCAL_LTO_PLUGIN_WAIT_MS");
  if (!Wait || !*Wait)
    return;
  const long LimitMs = std::strtol(Wait, nullptr, 10);
  const pid_t Parent = getppid();
  const auto Start = std::chrono::steady_clock::now();
  struct stat Info;
  while (::stat(Path.c_str(), &Info) != 0) {
    if (getppid() != Parent)
      fail("local-lto stopped before the helpers were ready: " + Path);
    const auto Waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - Start).count();
    if (Waited > LimitMs)
      fail("the helpers were not ready after " + Twine(LimitMs) + " ms: " + Path);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Read once per rustc process, shared by the codegen threads (read-only after loading). Each
// codegen unit has its own LLVMContext, so the module itself is parsed again in every unit that
// needs helpers; the names let a unit that declares none return at once.
struct HelperLibrary {
  std::string Path;
  std::unique_ptr<MemoryBuffer> Bytes;
  // Helpers with external linkage that helpers.bc defines: what a Rust module can declare.
  StringSet<> Defined;
};

std::mutex LibraryLock;
const HelperLibrary *Library = nullptr; // never freed: codegen threads may outlive static destructors

const HelperLibrary &helperLibrary() {
  std::lock_guard<std::mutex> Guard(LibraryLock);
  if (Library)
    return *Library;
  auto *Loaded = new HelperLibrary();
  Loaded->Path = findHelperBitcode();
  waitForHelperBitcode(Loaded->Path);
  auto Bytes = MemoryBuffer::getFile(Loaded->Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Bytes)
    fail("cannot read the helper bitcode " + Loaded->Path + ": " + Bytes.getError().message());
  Loaded->Bytes = std::move(*Bytes);
  // A lazy module reads the declarations only, not the bodies: cheap even for large libraries.
  LLVMContext Scratch;
  auto Helpers = getLazyBitcodeModule(Loaded->Bytes->getMemBufferRef(), Scratch, /*ShouldLazyLoadMetadata=*/true);
  if (!Helpers)
    fail("cannot read the helper bitcode " + Loaded->Path + ": " + toString(Helpers.takeError()));
  for (const GlobalValue &Value : (*Helpers)->global_values())
    if (!Value.isDeclaration() && !Value.hasLocalLinkage() && Value.hasName())
      Loaded->Defined.insert(Value.getName());
  Helpers->reset(); // before Scratch goes away
  Library = Loaded;
  return *Library;
}

// Only the vendor may differ: clang writes x86_64-pc-linux-gnu, rustc x86_64-unknown-linux-gnu
// for the same target. The linker would warn once per unit; for a vendor-only difference the
// helpers take the Rust module's triple. Any other difference is local-lto's bug or the user's
// mistake, and an error.
bool onlyVendorDiffers(const Triple &Rust, const Triple &Helpers) {
  return Rust.getArch() == Helpers.getArch() && Rust.getSubArch() == Helpers.getSubArch() &&
         Rust.getOS() == Helpers.getOS() && Rust.getEnvironment() == Helpers.getEnvironment() &&
         Rust.getObjectFormat() == Helpers.getObjectFormat() &&
         Rust.getOSVersion() == Helpers.getOSVersion();
}

// While linking, the linker's errors are collected here to be reported as one fatal error that
// names the module; its warnings go on to rustc's handler (which prints them as warnings).
struct LinkerDiagnostics : DiagnosticHandler {
  std::unique_ptr<DiagnosticHandler> Outer;
  std::string Errors;
  explicit LinkerDiagnostics(std::unique_ptr<DiagnosticHandler> Outer) : Outer(std::move(Outer)) {}
  bool handleDiagnostics(const DiagnosticInfo &Info) override {
    if (Info.getSeverity() == DS_Error) {
      raw_string_ostream Stream(Errors);
      if (!Errors.empty())
        Stream << "; ";
      DiagnosticPrinterRawOStream Printer(Stream);
      Info.print(Printer);
      return true;
    }
    return Outer && Outer->handleDiagnostics(Info);
  }
};

void appendJsonString(std::string &Out, StringRef Text) {
  Out += '"';
  for (unsigned char C : Text) {
    if (C == '"' || C == '\\') {
      Out += '\\';
      Out += static_cast<char>(C);
    } else if (C < 0x20) {
      static const char Hex[] = "0123456789abcdef";
      Out += "\\u00";
      Out += Hex[C >> 4];
      Out += Hex[C & 15];
    } else {
      Out += static_cast<char>(C);
    }
  }
  Out += '"';
}

std::mutex RecordLock;

// LOCAL_LTO_PLUGIN_RECORD=<file>: one JSON line per module that linked helpers,
// {"module":"<id>","helpers":["a","b"]}. A line is one write() on an O_APPEND descriptor, under
// a lock: lines from rustc's codegen threads (and from other rustc processes) never interleave.
void recordLinked(StringRef ModuleId, std::vector<std::string> &Names) {
  const char *RecordPath = std::getenv("LOCAL_LTO_PLUGIN_RECORD");
  if (!RecordPath || !*RecordPath)
    return;
  std::sort(Names.begin(), Names.end());
  std::string Line = "{\"module\":";
  appendJsonString(Line, ModuleId);
  Line += ",\"helpers\":[";
  for (size_t I = 0; I < Names.size(); ++I) {
    if (I)
      Line += ',';
    appendJsonString(Line, Names[I]);
  }
  Line += "]}\n";
  std::lock_guard<std::mutex> Guard(RecordLock);
  int Fd = ::open(RecordPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (Fd < 0)
    fail(Twine("cannot open the record file ") + RecordPath + ": " + std::strerror(errno));
  ssize_t Written;
  do
    Written = ::write(Fd, Line.data(), Line.size());
  while (Written < 0 && errno == EINTR);
  int WriteErrno = errno;
  ::close(Fd);
  if (Written != static_cast<ssize_t>(Line.size()))
    fail(Twine("cannot write the record file ") + RecordPath + ": " +
         (Written < 0 ? std::strerror(WriteErrno) : "short write"));
}

// LOCAL_LTO_PLUGIN_PROCESS=<file>: the executable this rustc is, its arguments and the environment
// it was started with, written once per process as `<exe>\0<argc>\0<cmdline><environ>`
// (/proc/self/exe; /proc/self/cmdline and /proc/self/environ as the kernel keeps them: each
// string NUL-terminated, the environment unchanged by any setenv since). rustup's proxy execs
// the toolchain's rustc with variables of its own; local-lto's repeated builds start that rustc
// directly with the same variables (src/toolchain/rustupProxy.ts). Best effort: a file not
// written only keeps the proxy in the repeat's command.
std::once_flag ProcessRecorded;

bool readWhole(const char *Path, std::string &Out) {
  int Fd = ::open(Path, O_RDONLY | O_CLOEXEC);
  if (Fd < 0)
    return false;
  char Buffer[8192];
  ssize_t Read;
  while ((Read = ::read(Fd, Buffer, sizeof Buffer)) != 0) {
    if (Read < 0 && errno == EINTR)
      continue;
    if (Read < 0)
      break;
    Out.append(Buffer, static_cast<size_t>(Read));
  }
  ::close(Fd);
  return Read == 0;
}

void recordProcess() {
  const char *Path = std::getenv("LOCAL_LTO_PLUGIN_PROCESS");
  if (!Path || !*Path)
    return;
  std::call_once(ProcessRecorded, [Path] {
    char Exe[4096];
    ssize_t Length = ::readlink("/proc/self/exe", Exe, sizeof Exe);
    std::string Bytes;
    if (Length <= 0 || static_cast<size_t>(Length) >= sizeof Exe)
      return;
    std::string Arguments;
    if (!readWhole("/proc/self/cmdline", Arguments) || Arguments.empty() || Arguments.back() != '\0')
      return;
    Bytes.assign(Exe, static_cast<size_t>(Length));
    Bytes += '\0';
    Bytes += std::to_string(std::count(Arguments.begin(), Arguments.end(), '\0'));
    Bytes += '\0';
    Bytes += Arguments;
    if (!readWhole("/proc/self/environ", Bytes))
      return;
    int Fd = ::open(Path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (Fd < 0)
      return;
    size_t Done = 0;
    while (Done < Bytes.size()) {
      ssize_t Written = ::write(Fd, Bytes.data() + Done, Bytes.size() - Done);
      if (Written < 0 && errno == EINTR)
        continue;
      if (Written <= 0)
        break;
      Done += static_cast<size_t>(Written);
    }
    ::close(Fd);
    if (Done != Bytes.size())
      ::unlink(Path); // a partial file must not be read as the whole environment
  });
}

class LinkHelpersPass : public PassInfoMixin<LinkHelpersPass> {
public:
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    const HelperLibrary &Library = helperLibrary();
    bool Declared = false;
    for (const GlobalValue &Value : M.global_values())
      if (Value.isDeclaration() && Library.Defined.contains(Value.getName())) {
        Declared = true;
        break;
      }
    if (!Declared)
      return PreservedAnalyses::all(); // the module is left exactly as rustc made it

    LLVMContext &Context = M.getContext();
    auto Helpers = getLazyBitcodeModule(Library.Bytes->getMemBufferRef(), Context, /*ShouldLazyLoadMetadata=*/true);
    if (!Helpers)
      fail("cannot read the helper bitcode " + Library.Path + ": " + toString(Helpers.takeError()));
    checkTarget(M, **Helpers, Library.Path);

    std::vector<std::string> Linked;
    auto Internalize = [&Linked](Module &Dest, const StringSet<> &Names) {
      for (const auto &Entry : Names) {
        GlobalValue *Value = Dest.getNamedValue(Entry.getKey());
        if (!Value || Value->isDeclaration())
          continue;
        // A private copy per object: internal, so the inliner may delete it once every call is
        // inlined, and no symbol is exported from the object.
        Value->setLinkage(GlobalValue::InternalLinkage);
        Value->setVisibility(GlobalValue::DefaultVisibility);
        if (auto *Object = dyn_cast<GlobalObject>(Value))
          Object->setComdat(nullptr);
        Linked.push_back(Entry.getKey().str());
      }
    };

    auto Collector = std::make_unique<LinkerDiagnostics>(Context.getDiagnosticHandler());
    LinkerDiagnostics *Collected = Collector.get();
    // rustc installs its handler with the default RespectFilters=false; put it back the same way.
    Context.setDiagnosticHandler(std::move(Collector));
    bool Failed = Linker::linkModules(M, std::move(*Helpers), Linker::Flags::LinkOnlyNeeded, Internalize);
    std::string Errors = Collected->Errors;
    std::unique_ptr<DiagnosticHandler> Ours = Context.getDiagnosticHandler();
    Context.setDiagnosticHandler(std::move(static_cast<LinkerDiagnostics *>(Ours.get())->Outer));
    if (Failed)
      fail("linking the helpers of " + Library.Path + " into " + M.getModuleIdentifier() +
           " failed: " + (Errors.empty() ? std::string("(no message from the linker)") : Errors));

    for (const std::string &Name : Linked)
      if (Function *Helper = M.getFunction(Name))
        applyCallerAttributes(*Helper);
    if (!Linked.empty())
      recordLinked(M.getModuleIdentifier(), Linked);
    return PreservedAnalyses::none();
  }

  // Also at -Copt-level=0 and in functions marked optnone: a declared helper is always linked.
  static bool isRequired() { return true; }

private:
  // local-lto's TypeScript decides which attributes a helper's Rust callers must take on to
  // inline it without changing C's semantics (--null-pointer-policy=caller: LLVM's own rule for
  // always-inline callees) and writes them on the helper as
  // "local-lto-caller-attributes"="attr,attr". Every function of the unit that calls the helper
  // gets them; the marker is then removed, so the object carries nothing of local-lto's.
  static void applyCallerAttributes(Function &Helper) {
    Attribute Marker = Helper.getFnAttribute("local-lto-caller-attributes");
    if (!Marker.isValid())
      return;
    SmallVector<StringRef, 4> Names;
    Marker.getValueAsString().split(Names, ',', -1, /*KeepEmpty=*/false);
    for (User *Use : Helper.users()) {
      auto *Call = dyn_cast<CallBase>(Use);
      if (!Call || Call->getCalledOperand() != &Helper)
        continue;
      Function *Caller = Call->getFunction();
      for (StringRef Name : Names) {
        Attribute::AttrKind Kind = Attribute::getAttrKindFromName(Name);
        if (Kind == Attribute::None)
          fail("unknown caller attribute \"" + Name.str() + "\" on helper " + Helper.getName().str());
        Caller->addFnAttr(Kind);
      }
    }
    Helper.removeFnAttr("local-lto-caller-attributes");
  }

  static void checkTarget(Module &Rust, Module &Helpers, StringRef Path) {
    const Triple &RustTriple = Rust.getTargetTriple();
    const Triple &HelperTriple = Helpers.getTargetTriple();
    if (RustTriple != HelperTriple) {
      if (!onlyVendorDiffers(RustTriple, HelperTriple))
        fail("the helper bitcode " + Path + " is for " + HelperTriple.str() + " but " +
             Rust.getModuleIdentifier() + " is for " + RustTriple.str() +
             ": compile the helpers with --target=" + RustTriple.str());
      Helpers.setTargetTriple(RustTriple);
    }
    if (Rust.getDataLayoutStr() != Helpers.getDataLayoutStr())
      fail("the helper bitcode " + Path + " has data layout \"" + Helpers.getDataLayoutStr() +
           "\" but " + Rust.getModuleIdentifier() + " has \"" + Rust.getDataLayoutStr() + "\"");
  }
};

// LOCAL_LTO_PASS_SCOPE=<file>: the Rust module's own functions, one per line as
// `name[,anything]` (the noinline list local-lto already gives the inliner). The scope is every
// other defined function (the helpers and what they brought along) and the Rust functions that
// call one of them directly, found when the first optional pass is asked about (before anything
// is inlined; pass adaptors are required passes and never asked). An
// optional function or loop pass then runs only on functions in the scope. Module and CGSCC
// passes (the inliner, IPSCCP) run only when some Rust function calls into the scope; the
// inliner's reach is bounded by the noinline list. The callback is LLVM's own optnone mechanism
// (`shouldRunOptionalPass`): required passes and analyses are untouched and, unlike an optnone
// attribute, nothing is left on the functions for code generation to see.
struct PassScope {
  StringSet<> RustFunctions;
  StringSet<> Functions;
  bool Found = false;
  bool RustCallsIn = false;

  void find(const Module &M) {
    Found = true;
    for (const Function &F : M) {
      if (F.isDeclaration() || RustFunctions.contains(F.getName()))
        continue;
      Functions.insert(F.getName());
      for (const User *Use : F.users())
        if (const auto *Call = dyn_cast<CallBase>(Use); Call && Call->getCalledOperand() == &F) {
          StringRef Caller = Call->getFunction()->getName();
          Functions.insert(Caller);
          RustCallsIn |= RustFunctions.contains(Caller);
        }
    }
  }
};

void registerPassScope(PassBuilder &Builder) {
  const char *Path = std::getenv("LOCAL_LTO_PASS_SCOPE");
  if (!Path || !*Path)
    return;
  PassInstrumentationCallbacks *Callbacks = Builder.getPassInstrumentationCallbacks();
  if (!Callbacks)
    fail("LOCAL_LTO_PASS_SCOPE is set but this pass builder has no instrumentation callbacks");
  auto Bytes = MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Bytes)
    fail(Twine("cannot read the pass scope ") + Path + ": " + Bytes.getError().message());
  auto Scope = std::make_shared<PassScope>();
  SmallVector<StringRef, 64> Lines;
  (*Bytes)->getBuffer().split(Lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef Line : Lines)
    Scope->RustFunctions.insert(Line.split(',').first);
  Callbacks->registerShouldRunOptionalPassCallback([Scope](StringRef, Any IR) {
    if (const auto *Unit = llvm::any_cast<const Module *>(&IR)) {
      if (!Scope->Found)
        Scope->find(**Unit);
      return Scope->RustCallsIn;
    }
    if (const auto *Unit = llvm::any_cast<const LazyCallGraph::SCC *>(&IR)) {
      if (!Scope->Found)
        Scope->find(*(*Unit)->begin()->getFunction().getParent());
      return Scope->RustCallsIn;
    }
    const Function *F = nullptr;
    if (const auto *Unit = llvm::any_cast<const Function *>(&IR))
      F = *Unit;
    else if (const auto *Unit = llvm::any_cast<const Loop *>(&IR))
      F = (*Unit)->getHeader()->getParent();
    if (!F)
      return true;
    if (!Scope->Found)
      Scope->find(*F->getParent());
    return Scope->Functions.contains(F->getName());
  });
}

void registerCallbacks(PassBuilder &Builder) {
  recordProcess();
  registerPassScope(Builder);
  // Once per codegen unit (and at -Copt-level=0 too), before the inliner: rustc's own pipeline
  // then inlines the helpers and drops the copies it no longer needs.
  Builder.registerPipelineStartEPCallback(
      [](ModulePassManager &Passes, OptimizationLevel) { Passes.addPass(LinkHelpersPass()); });
}

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "local-lto", LOCAL_LTO_PLUGIN_VERSION, registerCallbacks};
}
