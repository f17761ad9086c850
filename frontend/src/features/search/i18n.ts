/** The search feature's strings. Keys start with "search."; German must have every English key. */
export const en: Record<string, string> = {};

export const de: Record<keyof typeof en, string> = {};
