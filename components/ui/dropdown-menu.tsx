"use client";
import * as React from "react";
import { DropdownMenu as P } from "radix-ui";
import { cn } from "@/lib/utils";

export const DropdownMenu = (props: React.ComponentProps<typeof P.Root>) => <P.Root data-slot="dropdown-menu" {...props} />;
export const DropdownMenuTrigger = (props: React.ComponentProps<typeof P.Trigger>) => <P.Trigger data-slot="dropdown-menu-trigger" {...props} />;

export function DropdownMenuContent({ className, sideOffset = 4, ...props }: React.ComponentProps<typeof P.Content>) {
  return (
    <P.Portal>
      <P.Content
        data-slot="dropdown-menu-content"
        sideOffset={sideOffset}
        className={cn("bg-popover text-popover-foreground z-50 min-w-[8rem] overflow-hidden rounded-md border p-1 shadow-md", className)}
        {...props}
      />
    </P.Portal>
  );
}
export function DropdownMenuItem({ className, variant = "default", ...props }: React.ComponentProps<typeof P.Item> & { variant?: "default" | "destructive" }) {
  return (
    <P.Item
      data-slot="dropdown-menu-item"
      data-variant={variant}
      className={cn(
        "focus:bg-accent focus:text-accent-foreground data-[variant=destructive]:text-destructive relative flex cursor-default items-center gap-2 rounded-sm px-2 py-1.5 text-sm outline-hidden select-none data-[disabled]:pointer-events-none data-[disabled]:opacity-50 [&_svg]:size-4",
        className,
      )}
      {...props}
    />
  );
}
export function DropdownMenuLabel({ className, ...props }: React.ComponentProps<typeof P.Label>) {
  return <P.Label className={cn("px-2 py-1.5 text-sm font-medium", className)} {...props} />;
}
export function DropdownMenuSeparator({ className, ...props }: React.ComponentProps<typeof P.Separator>) {
  return <P.Separator className={cn("bg-border -mx-1 my-1 h-px", className)} {...props} />;
}
