/** A directory fault: anything that is not a verdict on the credentials, with the step it happened in. */
export class DirectoryFault extends Error {
  constructor(step: string, cause: unknown) {
    super(`${step} failed`, { cause: cause instanceof Error ? cause : new Error(String(cause)) });
    this.name = 'DirectoryFault';
  }
}
