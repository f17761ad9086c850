/** The statements behind the values, page by page, each verifiable in the browser. */
import { Alert, Box, Button, Typography } from "@mui/material";
import { useEffect, useMemo, useRef } from "react";
import { useApp } from "../../state/app";
import { useI18n } from "../../i18n";
import { corroboration, type EntityData, type StatementNode } from "./model";
import { hides } from "./privacy";
import { StatementItem } from "./StatementItem";
import type { Verification } from "./useVerification";

export interface StatementsSectionProps {
  entity: EntityData;
  statements: StatementNode[];
  totalCount: number;
  hasNextPage: boolean;
  loadingMore: boolean;
  moreError: string | null;
  onMore: () => void;
  results: ReadonlyMap<string, Verification>;
  onVerify: (statement: StatementNode) => void;
}

export function StatementsSection(props: StatementsSectionProps) {
  const { entity, statements, totalCount } = props;
  const app = useApp();
  const { t, number } = useI18n();
  const counts = useMemo(() => corroboration(statements), [statements]);
  // After "more", focus goes to the first new statement: the button may be gone by then.
  const list = useRef<HTMLUListElement>(null);
  const firstNew = useRef<number | null>(null);
  useEffect(() => {
    const index = firstNew.current;
    if (index === null || statements.length <= index) return;
    firstNew.current = null;
    list.current?.querySelectorAll<HTMLElement>(":scope > li")[index]?.focus();
  }, [statements.length]);
  const more = () => {
    firstNew.current = statements.length;
    props.onMore();
  };
  const label = (name: string) => app.ontology?.type(entity.schema)?.properties.find((p) => p.name === name)?.label ?? name;
  return (
    <Box component="section" aria-labelledby="inspector-statements">
      <Typography variant="h6" component="h3" id="inspector-statements" sx={{ fontSize: "1rem" }}>
        {t("inspector.statements")}{" "}
        <Box component="span" sx={{ fontWeight: 400, color: "text.secondary", fontSize: "0.875rem" }}>
          ({t("inspector.statementsCount", { loaded: number(statements.length), total: number(totalCount) })})
        </Box>
      </Typography>
      <Typography variant="body2" sx={{ color: "text.secondary", fontSize: "0.8rem", mb: 0.5 }}>
        {t("inspector.corroborationNote", { loaded: number(statements.length), total: number(totalCount) })}
      </Typography>
      {statements.length === 0 ? (
        <Typography variant="body2">{t("inspector.noStatements")}</Typography>
      ) : (
        <Box component="ul" ref={list} sx={{ listStyle: "none", p: 0, m: 0 }}>
          {statements.map((statement) => (
            <StatementItem
              key={statement.id}
              statement={statement}
              propertyLabel={label(statement.property)}
              masked={hides(app, entity, statement.property, statement.value)}
              sources={counts.forValue(statement.property, statement.value)}
              verification={props.results.get(statement.id)}
              onVerify={() => props.onVerify(statement)}
            />
          ))}
        </Box>
      )}
      {props.moreError ? (
        <Alert severity="error" role="status" sx={{ mt: 1 }}>
          {t("inspector.moreError", { message: props.moreError })}
        </Alert>
      ) : null}
      {props.hasNextPage ? (
        <Button variant="text" onClick={props.loadingMore ? undefined : more} aria-disabled={props.loadingMore} sx={{ mt: 1 }} data-testid="inspector-more">
          {props.loadingMore ? t("common.loading") : t("inspector.more")}
        </Button>
      ) : null}
    </Box>
  );
}
