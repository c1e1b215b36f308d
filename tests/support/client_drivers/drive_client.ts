// Drive a project through openapi-fetch, typed by openapi-typescript from its schema.
//
// tests/support/generated_clients.py fills in the placeholders (__ITEMS__, __ITEM__,
// __TOKEN__, __SCHEME__) with the literal paths and fields of this project, so tsc checks
// every call and every field against the generated types. ROUTEX_CLIENT holds the settings
// (JSON); one JSON report line is printed for the test to assert on.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Item = components["schemas"]["Item"];
type ApiError = components["schemas"]["Error"];
type Report = Record<string, unknown>;

interface Settings {
  base_url: string;
  headers: Record<string, string>;
  email: string;
  password: string;
  wrong_accept?: string;
}

const settings: Settings = JSON.parse(process.env.ROUTEX_CLIENT ?? "{}");

function fail(message: string): never {
  throw new Error(message);
}

function errorOf(error: ApiError | undefined, response: Response) {
  if (error === undefined) fail(`expected an error body, got ${response.status}`);
  if (error.error.status !== response.status) fail("error.status differs from the HTTP status");
  return { status: error.error.status, code: error.error.code, details: error.error.details };
}

async function main(): Promise<Report> {
  const anonymous = createClient<paths>({ baseUrl: settings.base_url, headers: settings.headers });

  const signIn = await anonymous.POST("/api/auth/token/", {
    body: { email: settings.email, password: settings.password },
  });
  if (signIn.data === undefined) fail(`sign-in answered ${signIn.response.status}`);
  const token: string = __TOKEN__;
  const client = createClient<paths>({
    baseUrl: settings.base_url,
    headers: { ...settings.headers, Authorization: `__SCHEME__ ${token}` },
  });

  const created = await client.POST("__ITEMS__", { body: { name: "From TypeScript", description: "typed" } });
  if (created.data === undefined) fail(`create answered ${created.response.status}`);
  const item: Item = created.data;
  const id = item.id;
  const listed = await client.GET("__ITEMS__", { params: { query: { page_size: 100 } } });
  const read = await client.GET("__ITEM__", { params: { path: { id } } });
  const updated = await client.PUT("__ITEM__", {
    params: { path: { id } },
    body: { name: "Renamed", description: "put" },
  });
  const patched = await client.PATCH("__ITEM__", { params: { path: { id } }, body: { description: "patched" } });
  if (!listed.data || !read.data || !updated.data || !patched.data) fail("a read or write failed");
  const deleted = await client.DELETE("__ITEM__", { params: { path: { id } } });
  const gone = await client.GET("__ITEM__", { params: { path: { id } } });
  const invalid = await client.POST("__ITEMS__", { body: { name: "   " } });

  // The per-address tier of /api/auth/: ask for resets until the limit answers.
  let acceptedBeforeLimit = 0;
  let throttled;
  for (let attempt = 0; attempt < 20; attempt++) {
    const answer = await anonymous.POST("/api/auth/password/reset/", { body: { email: "nobody@example.org" } });
    if (answer.response.status !== 202) {
      throttled = answer;
      break;
    }
    acceptedBeforeLimit++;
  }
  if (throttled === undefined) fail("never throttled");

  const report: Report = {
    created: {
      status: created.response.status,
      name: item.name,
      id_type: typeof item.id,
      created_at_is_a_date: !Number.isNaN(Date.parse(item.created_at)),
    },
    listed: { count: listed.data.count, ids: listed.data.results.map((each: Item) => each.id) },
    item_id: id,
    read_name: read.data.name,
    updated: [updated.data.name, updated.data.description],
    patched: [patched.data.name, patched.data.description],
    deleted: deleted.response.status,
    gone: errorOf(gone.error, gone.response),
    invalid: errorOf(invalid.error, invalid.response),
    throttled: {
      ...errorOf(throttled.error, throttled.response),
      retry_after: throttled.response.headers.get("Retry-After"),
    },
    accepted_before_limit: acceptedBeforeLimit,
  };
  if (settings.wrong_accept !== undefined) {
    // The pinned Accept header is what picks the version: another one is refused.
    const stranger = await client.GET("__ITEMS__", { headers: { Accept: settings.wrong_accept } });
    report.wrong_version = errorOf(stranger.error, stranger.response);
  }
  return report;
}

main().then(
  (report) => console.log(JSON.stringify(report)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
