/**
 * Why a check failed, as a code and parameters rather than English text: the inspector
 * turns `code` into the key `inspector.reason.<code>` in the viewer's language.
 */
export type ReasonCode =
  | "badBase64"
  | "badHex"
  | "badHash"
  | "indexOutside"
  | "proofTooLong"
  | "proofTooShort"
  | "rootMismatch"
  | "countMismatch"
  | "notCanonical"
  | "leafNotJson"
  | "leafNotBatch"
  | "leafNoMembers"
  | "noteMalformed"
  | "noteNoSignature"
  | "noteUnknownKey"
  | "noteBadSignature"
  | "keyIdMismatch"
  | "checkpointMalformed"
  | "checkpointMismatch"
  | "originMismatch"
  | "noCheckpoint"
  | "otherStatement"
  | "otherRecord"
  | "noKeys"
  | "contentMismatch"
  | "sourceHidden";

/** What a malformed note or checkpoint gets wrong (`inspector.problem.<code>`). */
export type NoteProblem =
  | "noFinalNewline"
  | "blankLineInText"
  | "controlCharacter"
  | "tooLarge"
  | "noBlankLine"
  | "badDash"
  | "badLine"
  | "signatureNotBase64"
  | "signatureTooShort"
  | "tooFewLines"
  | "emptyOrigin"
  | "badSize"
  | "rootNotBase64"
  | "rootNotSha256";

/** Which value a decoding error is about (`inspector.field.<name>`). */
export type Field =
  | "leaf"
  | "leafProof"
  | "memberPath"
  | "memberRoot"
  | "root"
  | "publicKey"
  | "signature"
  | "statementId"
  | "recordHash"
  | "vector";

export type ReasonParams = Record<string, string | number>;

export class VerifyError extends Error {
  readonly code: ReasonCode;
  readonly params: ReasonParams;
  constructor(code: ReasonCode, params: ReasonParams = {}) {
    super(`${code} ${JSON.stringify(params)}`);
    this.name = "VerifyError";
    this.code = code;
    this.params = params;
  }
}
