"use client";
// The end of every dialog form: the form's own error (one that belongs to no field), then
// Cancel and the submit button, which spins while the request is out.
import * as React from "react";
import { Loader2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { DialogFooter } from "@/components/ui/dialog";

export function FormFooter({
  formError,
  onCancel,
  pending,
  disabled = false,
  icon,
  label,
  variant,
}: {
  formError: string | null;
  onCancel: () => void;
  pending: boolean;
  /** kept off for another reason than a request in flight */
  disabled?: boolean;
  icon: React.ReactNode;
  label: string;
  variant?: "destructive";
}) {
  return (
    <>
      {formError && (
        <Alert variant="destructive">
          <AlertDescription>{formError}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" variant={variant} disabled={pending || disabled}>
          {pending ? <Loader2 className="animate-spin" /> : icon} {label}
        </Button>
      </DialogFooter>
    </>
  );
}
