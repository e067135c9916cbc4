"use client";
// A "Call" button for a driver, a contact or a number wherever they are listed: opens the call
// dialog for them. Shown only to people who may make calls (calls.make), and only once a
// RingCentral line exists.
import * as React from "react";
import { Phone } from "lucide-react";
import { Button } from "@/components/ui/button";
import { CallDialog } from "@/components/calls/call-dialog";
import { useCanCall, useLines, type CallTarget } from "@/components/calls/shared";

export function CallButton({ target, label = "Call", className, size = "sm" }: { target: CallTarget; label?: string; className?: string; size?: "sm" | "icon" }) {
  const canCall = useCanCall();
  const lines = useLines(canCall);
  const [open, setOpen] = React.useState(false);
  if (!canCall || !target.phone || !lines.data?.items.some((l) => l.enabled)) return null;
  const name = target.name ?? target.phone;
  return (
    <>
      <Button
        type="button"
        variant="outline"
        size={size}
        className={className}
        aria-label={`${label} ${name}`}
        title={`${label} ${name} (${target.phone}) through RingCentral`}
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        <Phone />
        {size !== "icon" && label}
      </Button>
      <CallDialog open={open} onOpenChange={setOpen} preset={target} />
    </>
  );
}
