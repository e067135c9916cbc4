"use client";
// List filters kept in the URL (shareable, survive a reload), and a text filter that applies
// after a pause in typing.
import * as React from "react";
import { useRouter, useSearchParams } from "next/navigation";

export function useUrlFilters<K extends string>(path: string, keys: readonly K[]) {
  const router = useRouter();
  const sp = useSearchParams();
  const filters = Object.fromEntries(keys.map((k) => [k, sp.get(k) ?? ""]).filter(([, v]) => v)) as Partial<Record<K, string>>;
  const go = (next: URLSearchParams) => router.replace(next.size ? `${path}?${next}` : path, { scroll: false });
  return {
    filters,
    params: sp,
    /** sets (or, with an empty value, removes) one parameter */
    set(k: string, v: string | null) {
      const next = new URLSearchParams(sp.toString());
      if (v) next.set(k, v);
      else next.delete(k);
      go(next);
    },
    clear: () => go(new URLSearchParams()),
  };
}

/** Local text state for a URL filter, written to the URL 400 ms after typing stops. */
export function useDebouncedFilter(current: string | undefined, apply: (v: string) => void) {
  const [text, setText] = React.useState(current ?? "");
  React.useEffect(() => {
    const t = setTimeout(() => {
      if ((current ?? "") !== text.trim()) apply(text.trim());
    }, 400);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  return [text, setText] as const;
}
