/** The exports feature's strings. Keys start with "exports."; German must have every English key. */
export const en: Record<string, string> = {};

export const de: Record<keyof typeof en, string> = {};
