/** Where a database's schema stands relative to this build's latest migration. */
export type SchemaState = 'current' | 'ahead' | 'behind' | 'unknown';
