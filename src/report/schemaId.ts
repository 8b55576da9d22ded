/**
 * The report's schema id, apart from the zod schema: building a report must not load the schema
 * library (~0.1 s of start-up), only validating one does.
 */
export const reportSchemaId = "local-lto/report@1";
