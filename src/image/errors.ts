/**
 * A failure the image commands report to the user as one line, without a stack trace.
 * The message names what was wrong and, where possible, the fix; `cause` keeps the
 * underlying error (an SDK exception, a spawn error) for debugging.
 */
export class ImageError extends Error {
  public constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'ImageError';
  }
}

/** Collapses a multi-line message (SDK and docker messages often have several) to one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
