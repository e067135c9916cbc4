"use client";
import * as React from "react";
import { Tooltip as P } from "radix-ui";
import { cn } from "@/lib/utils";

export const TooltipProvider = ({ delayDuration = 200, ...props }: React.ComponentProps<typeof P.Provider>) => (
  <P.Provider delayDuration={delayDuration} {...props} />
);
export const Tooltip = (props: React.ComponentProps<typeof P.Root>) => <P.Root {...props} />;
export const TooltipTrigger = (props: React.ComponentProps<typeof P.Trigger>) => <P.Trigger {...props} />;
export function TooltipContent({ className, sideOffset = 4, ...props }: React.ComponentProps<typeof P.Content>) {
  return (
    <P.Portal>
      <P.Content sideOffset={sideOffset} className={cn("bg-foreground text-background z-50 rounded-md px-3 py-1.5 text-xs", className)} {...props} />
    </P.Portal>
  );
}
