"use client";
// JSON Schemas and parameters as tables a person reads: field, type, required, and what the
// schema says about it (description, allowed values, limits, default). Nested fields indent.
import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { JsonSchema, OpenApiDocument, Parameter } from "@/lib/openapi/types";
import { constraints, enumValues, schemaRows, typeLabel } from "@/components/docs/model";

function Values({ values }: { values: unknown[] }) {
  return (
    <span className="flex flex-wrap items-center gap-1">
      <span className="text-muted-foreground">One of</span>
      {values.map((v) => (
        <code key={JSON.stringify(v)} className="bg-muted rounded px-1 py-0.5 text-xs">
          {typeof v === "string" ? v : JSON.stringify(v)}
        </code>
      ))}
    </span>
  );
}

function Details({ description, values, limits }: { description?: string; values: unknown[] | null; limits: string[] }) {
  if (!description && !values && !limits.length) return <span className="text-muted-foreground">—</span>;
  return (
    <div className="grid gap-1">
      {description && <span>{description}</span>}
      {values && <Values values={values} />}
      {limits.length > 0 && <span className="text-muted-foreground text-xs">{limits.join(" · ")}</span>}
    </div>
  );
}

function Required({ required }: { required: boolean }) {
  return required ? (
    <Badge variant="warning">required</Badge>
  ) : (
    <span className="text-muted-foreground text-xs">optional</span>
  );
}

type FieldRow = { key: string; name: string; depth: number; in?: string; type: string; required: boolean; description?: string; values: unknown[] | null; limits: string[] };

/** The one table both schemas and parameters use; `inColumn` adds where a parameter goes. */
function FieldTable({ label, first, inColumn, rows }: { label: string; first: string; inColumn?: boolean; rows: FieldRow[] }) {
  return (
    <Table aria-label={label} className="text-sm">
      <TableHeader>
        <TableRow>
          <TableHead>{first}</TableHead>
          {inColumn && <TableHead>In</TableHead>}
          <TableHead>Type</TableHead>
          <TableHead>Required</TableHead>
          <TableHead className="w-full">Description</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.key}>
            <TableCell className="align-top whitespace-nowrap">
              <span style={{ paddingLeft: `${r.depth * 1.25}rem` }} className="inline-flex items-center gap-1">
                {r.depth > 0 && (
                  <span aria-hidden className="text-muted-foreground">
                    └
                  </span>
                )}
                <code className="font-mono text-xs font-medium">{r.name}</code>
              </span>
            </TableCell>
            {inColumn && <TableCell className="text-muted-foreground align-top text-xs">{r.in}</TableCell>}
            <TableCell className="text-muted-foreground align-top font-mono text-xs whitespace-nowrap">{r.type}</TableCell>
            <TableCell className="align-top">
              <Required required={r.required} />
            </TableCell>
            <TableCell className="align-top whitespace-normal">
              <Details description={r.description} values={r.values} limits={r.limits} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** A body or response schema. `label` names the table for screen readers ("Request body of POST /api/v1/payments"). */
export function SchemaTable({ doc, schema, label }: { doc: OpenApiDocument; schema: JsonSchema | undefined; label: string }) {
  const rows = React.useMemo(() => schemaRows(doc, schema), [doc, schema]);
  if (!rows.length) {
    const limits = constraints(doc, schema);
    const values = enumValues(doc, schema);
    return (
      <p className="text-sm">
        <code className="bg-muted rounded px-1.5 py-0.5 text-xs">{typeLabel(doc, schema)}</code>
        {values && (
          <span className="ml-2 inline-flex">
            <Values values={values} />
          </span>
        )}
        {limits.length > 0 && <span className="text-muted-foreground ml-2 text-xs">{limits.join(" · ")}</span>}
      </p>
    );
  }
  return <FieldTable label={label} first="Field" rows={rows.map((r) => ({ ...r, values: r.enum, limits: r.constraints }))} />;
}

export function ParametersTable({ doc, parameters, label }: { doc: OpenApiDocument; parameters: Parameter[]; label: string }) {
  const rows = parameters.map((p) => ({
    key: `${p.in}:${p.name}`,
    name: p.name,
    depth: 0,
    in: p.in,
    type: typeLabel(doc, p.schema),
    required: p.required,
    description: p.description ?? (typeof p.schema.description === "string" ? p.schema.description : undefined),
    values: enumValues(doc, p.schema),
    limits: constraints(doc, p.schema),
  }));
  return <FieldTable label={label} first="Name" inColumn rows={rows} />;
}
