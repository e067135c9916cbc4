"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { useTheme } from "next-themes";
import { Gauge, Plug, ScrollText, RefreshCw, Users, KeyRound, Webhook, Menu, Moon, Sun, LogOut, Monitor, UserRound, MessageSquare, LayoutTemplate, Send, Inbox, CreditCard, Map as MapIcon, Download, Contact, CalendarDays, Phone, Database, Video, Bell, History, Settings, BookOpen } from "lucide-react";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Badge } from "@/components/ui/badge";
import type { NavItem } from "@/lib/nav";
import { ROLE_LABELS, type Role } from "@/lib/auth/roles";

const ICONS: Record<string, React.ComponentType<{ className?: string }>> = {
  gauge: Gauge,
  plug: Plug,
  scroll: ScrollText,
  webhook: Webhook,
  refresh: RefreshCw,
  users: Users,
  key: KeyRound,
  message: MessageSquare,
  template: LayoutTemplate,
  send: Send,
  inbox: Inbox,
  payments: CreditCard,
  map: MapIcon,
  download: Download,
  contacts: Contact,
  calendar: CalendarDays,
  phone: Phone,
  database: Database,
  video: Video,
  bell: Bell,
  history: History,
  settings: Settings,
  book: BookOpen,
};

type ShellUser = { name: string; email: string; role: Role };

function NavLinks({ items, onNavigate }: { items: NavItem[]; onNavigate?: () => void }) {
  const pathname = usePathname();
  const matches = (href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(href + "/"));
  // the most specific entry wins: /messages/templates is Templates, not Messages too
  const current = items.filter((i) => matches(i.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return (
    <nav aria-label="Main" className="flex flex-col gap-1">
      {items.map((item) => {
        const Icon = ICONS[item.icon] ?? Gauge;
        const active = item.href === current;
        return (
          <Link
            key={item.href}
            href={item.href}
            onClick={onNavigate}
            aria-current={active ? "page" : undefined}
            className={cn(
              "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors",
              active ? "bg-primary/10 text-primary" : "text-muted-foreground hover:bg-accent hover:text-foreground",
            )}
          >
            <Icon className="size-4" />
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}

function Brand({ organization }: { organization?: string | null }) {
  return (
    <Link href="/" className="flex items-center gap-2 px-3 font-semibold">
      <img src="/favicon.svg" alt="" className="size-6" />
      <span className="flex min-w-0 flex-col leading-tight">
        Switchboard
        {organization && organization !== "Switchboard" && (
          <span className="text-muted-foreground truncate text-xs font-normal" data-testid="organization-name">
            {organization}
          </span>
        )}
      </span>
    </Link>
  );
}

function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  const [mounted, setMounted] = React.useState(false);
  React.useEffect(() => setMounted(true), []);
  const next = theme === "light" ? "dark" : theme === "dark" ? "system" : "light";
  const Icon = !mounted ? Monitor : theme === "light" ? Sun : theme === "dark" ? Moon : Monitor;
  return (
    <Button variant="ghost" size="icon" aria-label={`Theme: ${mounted ? theme : "system"}. Switch to ${next}`} onClick={() => setTheme(next)}>
      <Icon />
    </Button>
  );
}

export function AppShell({ user, nav, organization, children }: { user: ShellUser; nav: NavItem[]; organization?: string | null; children: React.ReactNode }) {
  const [open, setOpen] = React.useState(false);
  return (
    <div className="flex min-h-dvh">
      {/* sticky with its own scroll: the navigation stays in view however long the page is */}
      <aside className="bg-sidebar border-sidebar-border sticky top-0 hidden h-dvh w-60 shrink-0 flex-col gap-6 overflow-y-auto border-r py-4 md:flex" data-testid="sidebar">
        <Brand organization={organization} />
        <div className="px-2">
          <NavLinks items={nav} />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="bg-background/95 sticky top-0 z-30 flex h-14 items-center gap-2 border-b px-3 backdrop-blur md:px-6">
          <Sheet open={open} onOpenChange={setOpen}>
            <SheetTrigger asChild>
              <Button variant="ghost" size="icon" className="md:hidden" aria-label="Open navigation">
                <Menu />
              </Button>
            </SheetTrigger>
            <SheetContent side="left" className="w-64 py-4">
              <SheetTitle className="sr-only">Navigation</SheetTitle>
              <Brand organization={organization} />
              <div className="px-2">
                <NavLinks items={nav} onNavigate={() => setOpen(false)} />
              </div>
            </SheetContent>
          </Sheet>
          <div className="md:hidden">
            <Brand organization={organization} />
          </div>
          <div className="ml-auto flex items-center gap-1">
            <ThemeToggle />
            <DropdownMenu>
              <DropdownMenuTrigger asChild>
                <Button variant="ghost" className="gap-2" aria-label="Account menu">
                  <UserRound />
                  <span className="hidden max-w-40 truncate sm:inline">{user.name}</span>
                  <Badge variant="muted">{ROLE_LABELS[user.role]}</Badge>
                </Button>
              </DropdownMenuTrigger>
              <DropdownMenuContent align="end" className="w-56">
                <DropdownMenuLabel>
                  <div className="truncate">{user.name}</div>
                  <div className="text-muted-foreground truncate text-xs font-normal">{user.email}</div>
                </DropdownMenuLabel>
                <DropdownMenuSeparator />
                <DropdownMenuItem onSelect={() => signOut({ callbackUrl: "/login" })}>
                  <LogOut /> Sign out
                </DropdownMenuItem>
              </DropdownMenuContent>
            </DropdownMenu>
          </div>
        </header>
        <main id="main" className="mx-auto w-full max-w-7xl flex-1 p-3 md:p-6">
          {children}
        </main>
      </div>
    </div>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description && <p className="text-muted-foreground mt-1 text-sm">{description}</p>}
      </div>
      {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
    </div>
  );
}
