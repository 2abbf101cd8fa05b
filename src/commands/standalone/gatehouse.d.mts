/** Types of gatehouse.mjs (the one-file CLI helper) for the TypeScript that runs it. */
export interface HelperIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: AsyncIterable<Buffer | string>;
  env: Record<string, string | undefined>;
}
export declare class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode?: number);
}
export declare function portalBase(input: string, options?: { insecureHttp?: boolean }): string;
export declare function homeFolder(env: Record<string, string | undefined>): string;
export declare function main(args: readonly string[], io?: HelperIo): Promise<number>;
