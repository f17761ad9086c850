/** The search form: free text (run on Enter or the button) and the structured filters. */
import { useState, type FormEvent } from "react";
import { Autocomplete, Box, Button, Stack, TextField } from "@mui/material";
import SearchIcon from "@mui/icons-material/Search";
import AddIcon from "@mui/icons-material/Add";
import { useI18n } from "../../i18n";
import { MultiSelect, type Choice } from "./MultiSelect";
import { dayToIso, isoToDay, type DateBound, type ListFacet, type SearchSpec, type SpecAction } from "./spec";

export interface BuilderChoices {
  types: Choice[];
  sources: Choice[];
  classifications: Choice[];
  compartments: Choice[];
  properties: Choice[];
}

interface Props {
  draft: string;
  onDraft: (text: string) => void;
  onSubmit: () => void;
  spec: SearchSpec;
  change: (action: SpecAction) => void;
  choices: BuilderChoices;
}

const FACET_LABELS: Record<ListFacet, string> = {
  types: "search.filter.types",
  sources: "search.filter.sources",
  classifications: "search.filter.classifications",
  compartments: "search.filter.compartments",
};

export function SearchBuilder({ draft, onDraft, onSubmit, spec, change, choices }: Props) {
  const { t } = useI18n();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Box component="form" role="search" aria-label={t("search.formLabel")} onSubmit={submit} noValidate>
      <Stack direction="row" spacing={1} sx={{ alignItems: "flex-start" }}>
        <TextField
          fullWidth
          size="small"
          type="search"
          label={t("search.query")}
          value={draft}
          onChange={(event) => onDraft(event.target.value)}
          helperText={t("search.queryHelp")}
          slotProps={{ htmlInput: { "data-testid": "search-input", maxLength: 1000 } }}
        />
        <Button type="submit" variant="contained" startIcon={<SearchIcon aria-hidden />} data-testid="search-submit" sx={{ flexShrink: 0, height: 40 }}>
          {t("search.submit")}
        </Button>
      </Stack>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1, mt: 1 }}>
        {(Object.keys(FACET_LABELS) as ListFacet[]).map((facet) => (
          <MultiSelect
            key={facet}
            label={t(FACET_LABELS[facet])}
            choices={choices[facet]}
            selected={spec.filter[facet] ?? []}
            onChange={(values) => change({ type: "setValues", facet, values })}
            testId={`search-filter-${facet}`}
          />
        ))}
        <DateField bound="seenAfter" spec={spec} change={change} />
        <DateField bound="seenBefore" spec={spec} change={change} />
      </Box>
      <PropertyAdder properties={choices.properties} change={change} />
    </Box>
  );
}

function DateField({ bound, spec, change }: { bound: DateBound; spec: SearchSpec; change: (action: SpecAction) => void }) {
  const { t } = useI18n();
  const other = bound === "seenAfter" ? isoToDay(spec.filter.seenBefore) : isoToDay(spec.filter.seenAfter);
  return (
    <TextField
      size="small"
      type="date"
      label={t(`search.filter.${bound}`)}
      value={isoToDay(spec.filter[bound])}
      onChange={(event) => {
        const day = event.target.value;
        if (!day) change({ type: "setDate", bound, value: null });
        else {
          const iso = dayToIso(day, bound);
          if (iso) change({ type: "setDate", bound, value: iso });
        }
      }}
      slotProps={{
        inputLabel: { shrink: true },
        htmlInput: { "data-testid": `search-filter-${bound}`, ...(other ? (bound === "seenAfter" ? { max: other } : { min: other }) : {}) },
      }}
      sx={{ width: 170 }}
    />
  );
}

/** A row to add a property filter: a property from the ontology and the value it must have. */
function PropertyAdder({ properties, change }: { properties: Choice[]; change: (action: SpecAction) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState<Choice | null>(null);
  const [value, setValue] = useState("");
  const ready = name !== null && value.trim() !== "";
  const add = () => {
    if (!name || !value.trim()) return;
    change({ type: "addProperty", name: name.value, value });
    setValue("");
  };
  return (
    <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: "center", flexWrap: "wrap", rowGap: 1 }}>
      <Autocomplete<Choice, false, false, false>
        size="small"
        options={properties}
        value={name}
        onChange={(_, next) => setName(next)}
        getOptionLabel={(choice) => choice.label}
        isOptionEqualToValue={(a, b) => a.value === b.value}
        renderOption={(props, choice) => {
          const { key, ...rest } = props;
          return (
            <li key={key} {...rest}>
              {choice.label}
              <Box component="span" sx={{ ml: 1, color: "text.secondary", fontSize: "0.85em" }}>
                {choice.value}
              </Box>
            </li>
          );
        }}
        noOptionsText={t("search.noChoices")}
        openText={t("search.openChoices")}
        closeText={t("common.close")}
        clearText={t("search.clearChoices")}
        renderInput={(params) => (
          <TextField
            {...params}
            label={t("search.property.name")}
            slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, "data-testid": "search-property-name" } }}
          />
        )}
        sx={{ width: 240 }}
      />
      <TextField
        size="small"
        label={t("search.property.value")}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          // Enter here adds the condition instead of submitting the whole form.
          if (event.key === "Enter") {
            event.preventDefault();
            add();
          }
        }}
        slotProps={{ htmlInput: { "data-testid": "search-property-value", maxLength: 1000 } }}
        sx={{ width: 240 }}
      />
      <Button variant="outlined" startIcon={<AddIcon aria-hidden />} onClick={add} disabled={!ready} data-testid="search-property-add">
        {t("search.property.add")}
      </Button>
    </Stack>
  );
}
