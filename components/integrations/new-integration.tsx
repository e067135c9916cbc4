"use client";
import * as React from "react";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { IntegrationForm } from "@/components/integrations/integration-form";
import type { Provider } from "@/lib/integrations/contract";

export function NewIntegration({ providers, initialProvider }: { providers: Provider[]; initialProvider?: string }) {
  const [chosen, setChosen] = React.useState<Provider | undefined>(providers.find((p) => p.id === initialProvider));
  if (!chosen) {
    return (
      <>
        <PageHeader title="New integration" description="Choose the provider to connect." />
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label="Providers">
          {providers.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                onClick={() => setChosen(p)}
                className="hover:border-primary focus-visible:ring-ring/50 flex h-full w-full flex-col gap-2 rounded-lg border p-4 text-left transition-colors outline-none focus-visible:ring-[3px]"
              >
                <span className="flex items-center justify-between gap-2">
                  <span className="font-medium">{p.name}</span>
                  <Badge variant="secondary">{p.category}</Badge>
                </span>
                <span className="text-muted-foreground text-sm">{p.description}</span>
                {p.modes.includes("sandbox") && <Badge variant="info">has a sandbox</Badge>}
              </button>
            </li>
          ))}
        </ul>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={`New ${chosen.name} integration`}
        actions={
          <Button variant="ghost" onClick={() => setChosen(undefined)}>
            <ArrowLeft /> Other provider
          </Button>
        }
      />
      <div className="max-w-3xl">
        <IntegrationForm provider={chosen} />
      </div>
    </>
  );
}
