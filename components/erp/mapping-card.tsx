"use client";
// The effective mapping of the selected 1C integration: per entity type the OData object,
// each 1C attribute and where its value comes from (a field of ours, a constant, the Ref_Key
// of a linked entity), posting, matching and status rules. Changed in the integration's
// settings (config.mapping); shown here as it is applied.
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ErpMapping } from "@/lib/erp/contract";

export function MappingCard({ view, canConfigure }: { view: ErpMapping; canConfigure: boolean }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Effective mapping</CardTitle>
        <CardDescription>
          What each entity becomes in 1C (the defaults with this integration&apos;s <code>config.mapping</code> on top). Dates are written without a zone as local time in{" "}
          <strong>{view.timeZone}</strong>; amounts as decimal strings.
          {canConfigure && view.integrationId && (
            <>
              {" "}
              <Link className="underline" href={`/integrations/${view.integrationId}/settings`}>
                Integration settings
              </Link>
            </>
          )}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 lg:grid-cols-2">
        {!view.configValid && <p className="text-destructive text-sm lg:col-span-2">The saved configuration is invalid: the defaults are shown.</p>}
        {view.entities.map((e) => (
          <section key={e.entityType} className="rounded-md border" aria-label={`${e.label} mapping`}>
            <header className="flex flex-wrap items-center gap-2 border-b p-3">
              <span className="font-medium">{e.label}</span>
              <span aria-hidden>→</span>
              <span className="font-mono text-sm break-all">{e.object}</span>
              {!e.enabled && <Badge variant="muted">Not sent</Badge>}
              {e.customized && <Badge variant="info">Customized</Badge>}
              {e.post && <Badge variant="outline">Posted</Badge>}
            </header>
            <Table aria-label={`${e.label} fields`}>
              <TableHeader>
                <TableRow>
                  <TableHead>1C attribute</TableHead>
                  <TableHead>Value</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {e.fields.map((f) => (
                  <TableRow key={f.attribute}>
                    <TableCell className="font-mono text-xs">{f.attribute}</TableCell>
                    <TableCell className="text-xs">
                      {f.kind === "source" ? <span className="font-mono">{f.source}</span> : <span className="text-muted-foreground">{f.source}</span>}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <p className="text-muted-foreground border-t p-3 text-xs">
              {e.match.length ? `Before creating, an existing 1C object with the same ${e.match.join(", ")} is linked instead. ` : ""}
              {e.statuses ? `Only with status ${e.statuses.join(", ")}. ` : ""}
              {e.refs.length ? `Can point at: ${e.refs.join(", ")} (synced first when not in 1C yet).` : ""}
            </p>
          </section>
        ))}
      </CardContent>
    </Card>
  );
}
