/**
 * What the Lambda bundles carry instead of nodemailer's `mime-funcs/mime-types.js` (infra/bundling.ts
 * swaps it in at bundling time; nothing imports this module). nodemailer consults that 76 KB table only
 * to guess a part's Content-Type from its file name, or a file name's extension from a Content-Type,
 * and ./mime.ts never lets it guess: every text part and every attachment has an explicit content
 * type, and every attachment a file name. So the functions keep their signatures and refuse to guess:
 * a mail that would need the table fails loudly instead of going out with a guessed type.
 */

function cannotGuess(what: string): never {
  throw new Error(
    `the Lambda bundles leave out nodemailer's file-extension table, so ${what} cannot be guessed: ` +
      'give the part an explicit content type and file name (functions/adapters/mime.ts)',
  );
}

export function detectMimeType(filename?: string | false): string {
  return cannotGuess(`the content type of ${JSON.stringify(filename ?? '')}`);
}

export function detectExtension(mimeType?: string | false): string {
  return cannotGuess(`the file extension of ${JSON.stringify(mimeType ?? '')}`);
}
