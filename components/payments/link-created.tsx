"use client";
// The end of "Create payment link" and "New subscription": the link to send the payer (to copy),
// what happens next, or, when the provider gave no page, why there is no link; then Close, the
// record's own page and the provider's page.
import * as React from "react";
import Link from "next/link";
import { ExternalLink } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { DialogFooter } from "@/components/ui/dialog";
import { CopyField } from "@/components/payments/shared";

export function LinkCreated({
  url,
  linkLabel,
  linkTestId,
  extra,
  next,
  noLink,
  href,
  view,
  open,
  onClose,
}: {
  url: string | null | undefined;
  /** the copy field's name, e.g. "Payment link" */
  linkLabel: string;
  linkTestId: string;
  /** shown between the link and `next` (e.g. a QR code) */
  extra?: React.ReactNode;
  /** what happens after the payer opens the link */
  next: React.ReactNode;
  /** said instead when there is no link */
  noLink: React.ReactNode;
  /** the record's page and the button's words ("View payment") */
  href: string;
  view: string;
  /** the button that opens the link ("Open payment") */
  open: string;
  onClose: () => void;
}) {
  return (
    <>
      {url ? (
        <>
          <div className="grid gap-1.5">
            <p className="text-sm font-medium">Send this link to the payer</p>
            <CopyField value={url} label={linkLabel} testId={linkTestId} />
          </div>
          {extra}
          <p className="text-muted-foreground text-xs">{next}</p>
        </>
      ) : (
        <Alert>
          <AlertDescription>{noLink}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onClose}>
          Close
        </Button>
        <Button variant="outline" asChild>
          <Link href={href} onClick={onClose}>
            {view}
          </Link>
        </Button>
        {url && (
          <Button asChild>
            <a href={url} target="_blank" rel="noopener noreferrer">
              <ExternalLink /> {open}
            </a>
          </Button>
        )}
      </DialogFooter>
    </>
  );
}
