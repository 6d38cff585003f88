import { createContext, useContext } from "react";

// Forms hold lookups as ids (what the API takes); the titles of the
// chosen records live beside them so that inputs can show names.

export type LookupTitlesApi = {
  titles: Record<string, string>;
  remember: (entries: Record<string, string>) => void;
};

export const LookupTitlesContext = createContext<LookupTitlesApi>({ titles: {}, remember: () => {} });

export function useLookupTitles(): LookupTitlesApi {
  return useContext(LookupTitlesContext);
}
