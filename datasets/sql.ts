/** SQL literal quoting for the statements the harmonizer builds (identifiers and strings come from specs and headers). */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const str = (value: string): string => `'${value.replaceAll("'", "''")}'`;
export const strList = (values: string[]): string => `[${values.map(str).join(', ')}]`;
