/** The privacy feature's strings. Keys start with "privacy."; German must have every English key. */
export const en: Record<string, string> = {};

export const de: Record<keyof typeof en, string> = {};
