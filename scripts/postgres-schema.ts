// prisma/postgres/schema.prisma is prisma/schema.prisma with the PostgreSQL provider and its own
// client output. prisma/schema.prisma is the one source: edit it, then run `npm run db:schema`
// (`npm run db:migration` does it too); test/integration/migrations.test.ts fails when the copy is stale.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { projectRoot } from "./project-root";

const ROOT = projectRoot(import.meta.url);
export const SQLITE_SCHEMA = path.join(ROOT, "prisma/schema.prisma");
export const POSTGRES_SCHEMA = path.join(ROOT, "prisma/postgres/schema.prisma");
// Generated beside @prisma/client's own `.prisma/client`, so the app loads it by package name.
export const POSTGRES_CLIENT = ".prisma/postgres-client";

const HEADER =
  "// GENERATED from prisma/schema.prisma by `npm run db:schema`: do not edit, edit that file instead.\n";

export function postgresSchemaText(source = fs.readFileSync(SQLITE_SCHEMA, "utf8")): string {
  const generator = /generator client \{[^}]*\}/.exec(source);
  const datasource = /datasource db \{[^}]*\}/.exec(source);
  if (!generator || !datasource) throw new Error("prisma/schema.prisma needs a `generator client` and a `datasource db` block");
  if (!/provider\s*=\s*"sqlite"/.test(datasource[0])) throw new Error("prisma/schema.prisma's datasource must stay sqlite");
  if (/@db\.|\benum\s+\w+\s*\{/.test(source)) {
    throw new Error("prisma/schema.prisma must stay portable: no native types (@db.*) and no enums");
  }
  const pgGenerator = generator[0].replace(/\n\}$/, `\n  output     = "../../node_modules/${POSTGRES_CLIENT}"\n}`);
  // The CLI wants a url here even though the driver adapter supplies the real one.
  const pgDatasource = 'datasource db {\n  provider = "postgresql"\n  url      = "postgresql://postgres@127.0.0.1:5432/afterglow"\n}';
  return HEADER + source.replace(generator[0], pgGenerator).replace(datasource[0], pgDatasource);
}

export function writePostgresSchema(): boolean {
  const text = postgresSchemaText();
  const current = fs.existsSync(POSTGRES_SCHEMA) ? fs.readFileSync(POSTGRES_SCHEMA, "utf8") : "";
  if (current === text) return false;
  fs.mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  fs.writeFileSync(POSTGRES_SCHEMA, text);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(writePostgresSchema() ? "wrote prisma/postgres/schema.prisma" : "prisma/postgres/schema.prisma is current");
}
