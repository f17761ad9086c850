/** Every property and its values; withheld ones as `null` with the reason, pii masked in safe mode. */
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useI18n } from "../../i18n";
import { sourcesText } from "./format";
import { MaskedValue, WithheldValue } from "./Markers";
import type { PropertyRow } from "./model";

const small = { fontSize: "0.75rem", color: "text.secondary" } as const;

export function PropertiesSection({ rows }: { rows: PropertyRow[] }) {
  const { t } = useI18n();
  return (
    <Box component="section" aria-labelledby="inspector-properties">
      <Typography variant="h6" component="h3" id="inspector-properties" sx={{ fontSize: "1rem", mb: 0.5 }}>
        {t("inspector.properties")}
      </Typography>
      {rows.length === 0 ? (
        <Typography variant="body2">{t("inspector.noProperties")}</Typography>
      ) : (
        <Table size="small" sx={{ "& td, & th": { px: 0.75, verticalAlign: "top" } }}>
          <TableHead>
            <TableRow>
              <TableCell component="th" scope="col" sx={{ width: "38%" }}>
                {t("inspector.property")}
              </TableCell>
              <TableCell component="th" scope="col">
                {t("inspector.values")}
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((row) => (
              <TableRow key={row.name} data-testid="inspector-property" data-property={row.name}>
                <TableCell component="th" scope="row" sx={{ fontWeight: 600 }}>
                  {row.label}
                  {row.label !== row.name ? (
                    <Box component="code" sx={{ ...small, display: "block", fontWeight: 400 }}>
                      {row.name}
                    </Box>
                  ) : null}
                  {row.withheld === null ? (
                    <Box sx={{ ...small, fontWeight: 400 }} title={t("inspector.propertySourcesTitle")}>
                      {sourcesText(t, row.sources)}
                    </Box>
                  ) : null}
                </TableCell>
                <TableCell>
                  {row.withheld !== null ? (
                    <WithheldValue reason={row.withheld} />
                  ) : (
                    <Box component="ul" sx={{ m: 0, p: 0, listStyle: "none" }}>
                      {row.values.map((cell) => (
                        <Box component="li" key={cell.value} sx={{ mb: 0.5, overflowWrap: "anywhere" }}>
                          {cell.masked ? <MaskedValue /> : cell.value}{" "}
                          <Box component="span" sx={small} title={t("inspector.valueSourcesTitle")}>
                            ({sourcesText(t, cell.sources)})
                          </Box>
                        </Box>
                      ))}
                    </Box>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
