/** A searchable multi-select whose choices show as chips in the filter bar, not in the field. */
import { Autocomplete, TextField } from "@mui/material";
import CheckIcon from "@mui/icons-material/Check";
import { useI18n } from "../../i18n";

export interface Choice {
  value: string;
  label: string;
}

interface Props {
  label: string;
  choices: readonly Choice[];
  selected: readonly string[];
  onChange: (values: string[]) => void;
  testId: string;
}

export function MultiSelect({ label, choices, selected, onChange, testId }: Props) {
  const { t } = useI18n();
  const labels = new Map(choices.map((choice) => [choice.value, choice.label]));
  // Selected values the choices no longer list (a link, a saved search) stay choosable.
  const values = [...choices.map((choice) => choice.value), ...selected.filter((value) => !labels.has(value))];
  return (
    <Autocomplete<string, true, false, false>
      multiple
      size="small"
      disableCloseOnSelect
      options={values}
      value={[...selected]}
      onChange={(_, next) => onChange(next)}
      getOptionLabel={(value) => labels.get(value) ?? value}
      renderValue={() => null}
      renderOption={(props, value, { selected: isSelected }) => {
        const { key, ...rest } = props;
        return (
          <li key={key} {...rest}>
            <CheckIcon fontSize="small" sx={{ mr: 1, visibility: isSelected ? "visible" : "hidden" }} aria-hidden />
            {labels.get(value) ?? value}
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
          label={selected.length ? t("search.selectedCount", { label, count: selected.length }) : label}
          slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, "data-testid": testId } }}
        />
      )}
      sx={{ minWidth: 180, flex: "1 1 180px" }}
    />
  );
}
