// The API's naming policy (camelCase everywhere, docs/api-compat.md) checked on an answer:
// every object key in a JSON value that is snake_case, by its dotted path. Values (enums such
// as "call_log") are not keys and are not looked at.
export function snakeKeys(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => snakeKeys(v, `${at}${at ? "." : ""}${i}`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = `${at}${at ? "." : ""}${k}`;
    return [...(/^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(k) ? [path] : []), ...snakeKeys(v, path)];
  });
}
