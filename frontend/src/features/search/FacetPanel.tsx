/** Counts of the matches by type, source, classification and compartment; a value toggles its filter. */
import { Box, Checkbox, FormControlLabel, Typography } from "@mui/material";
import { useI18n } from "../../i18n";
import { LIST_FACETS, type ListFacet, type SearchFilter } from "./spec";
import type { FacetCount, Facets } from "./useSearchResults";

interface Props {
  facets: Facets | null;
  filter: SearchFilter;
  labelOf: (facet: ListFacet, value: string) => string;
  onToggle: (facet: ListFacet, value: string) => void;
}

/** The counted values, plus selected ones that matched nothing (so they can be unticked). */
export function facetEntries(counted: readonly FacetCount[], selected: readonly string[], labelOf: (value: string) => string): FacetCount[] {
  const present = new Set(counted.map((entry) => entry.value));
  return [...counted, ...selected.filter((value) => !present.has(value)).map((value) => ({ value, label: labelOf(value), count: 0 }))];
}

export function FacetPanel({ facets, filter, labelOf, onToggle }: Props) {
  const { t, number } = useI18n();
  return (
    <Box component="section" aria-labelledby="search-facets-heading" data-testid="search-facets">
      <Typography id="search-facets-heading" variant="subtitle1" component="h3" sx={{ fontWeight: 700 }}>
        {t("search.facets.title")}
      </Typography>
      {!facets ? (
        <Typography variant="body2" color="text.secondary">
          {t("search.facets.none")}
        </Typography>
      ) : (
        LIST_FACETS.map((facet) => {
          const selected = filter[facet] ?? [];
          const entries = facetEntries(facets[facet], selected, (value) => labelOf(facet, value));
          const headingId = `search-facet-${facet}`;
          return (
            <Box key={facet} component="section" aria-labelledby={headingId} sx={{ mt: 1.5 }}>
              <Typography id={headingId} variant="subtitle2" component="h4" sx={{ fontWeight: 700 }}>
                {t(`search.filter.${facet}`)}
              </Typography>
              {entries.length === 0 ? (
                <Typography variant="body2" color="text.secondary">
                  {t("search.facets.empty")}
                </Typography>
              ) : (
                <Box component="ul" sx={{ listStyle: "none", m: 0, p: 0 }}>
                  {entries.map((entry) => (
                    <Box component="li" key={entry.value} sx={{ display: "flex", alignItems: "center" }}>
                      <FormControlLabel
                        sx={{ flex: 1, minWidth: 0, mr: 0.5, "& .MuiFormControlLabel-label": { overflowWrap: "anywhere", fontSize: "0.875rem" } }}
                        control={
                          <Checkbox
                            size="small"
                            checked={selected.includes(entry.value)}
                            onChange={() => onToggle(facet, entry.value)}
                            slotProps={{
                              input: {
                                "aria-label": t(entry.count === 1 ? "search.facets.valueOne" : "search.facets.value", { label: entry.label, count: entry.count }),
                                // @ts-expect-error data attributes are valid on the input element
                                "data-testid": `facet-${facet}-${entry.value}`,
                              },
                            }}
                            sx={{ py: 0.25 }}
                          />
                        }
                        label={entry.label}
                      />
                      <Box component="span" aria-hidden sx={{ color: "text.secondary", fontSize: "0.8125rem", fontVariantNumeric: "tabular-nums" }}>
                        {number(entry.count)}
                      </Box>
                    </Box>
                  ))}
                </Box>
              )}
            </Box>
          );
        })
      )}
    </Box>
  );
}
