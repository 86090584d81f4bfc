import fs from "node:fs";
import path from "node:path";
import {
  buildClientSchema,
  Kind,
  NoDeprecatedCustomRule,
  NoUnusedFragmentsRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { describe, expect, it } from "vitest";
import * as queries from "../../app/adapters/shopify-admin/queries";
import { DEFAULT_ADMIN_API_VERSION } from "../../app/adapters/shopify-admin/client.server";
import { readAdminIntrospection, shippedAdminVersions } from "../../scripts/extract-admin-schema";

const OUR_VERSION = DEFAULT_ADMIN_API_VERSION;
const NEWEST_VERSION = shippedAdminVersions().at(-1) as string;

// Deprecated fields whose replacement does not exist yet in the version we call. Each entry
// must stay true (checked below): moving to a newer version makes the test demand the switch.
const PENDING_REPLACEMENTS = ["Shop.billingAddress"];

const schemas = new Map<string, GraphQLSchema>();
function schemaFor(version: string): GraphQLSchema {
  let schema = schemas.get(version);
  if (!schema) {
    schema = buildClientSchema(readAdminIntrospection(version));
    schemas.set(version, schema);
  }
  return schema;
}

// Every export, not a hand-kept list: a new query is checked the moment it is added.
const documents = Object.entries(queries as Record<string, unknown>).map(([name, value]) => ({ name, value }));

function parsed(name: string): DocumentNode {
  const value = (queries as Record<string, unknown>)[name];
  return parse(value as string);
}

function isFragmentOnly(doc: DocumentNode): boolean {
  return doc.definitions.every((d) => d.kind === Kind.FRAGMENT_DEFINITION);
}

function validationErrors(schema: GraphQLSchema, doc: DocumentNode): string[] {
  // A fragment exported on its own is checked for fields here and for variables in the queries using it.
  const rules = isFragmentOnly(doc) ? specifiedRules.filter((r) => r !== NoUnusedFragmentsRule) : specifiedRules;
  return validate(schema, doc, rules).map((e) => e.message);
}

interface DeprecatedUse {
  coordinate: string; // Type.field, or the whole message for arguments and enum values
  message: string;
}

function deprecatedUses(schema: GraphQLSchema, doc: DocumentNode): DeprecatedUse[] {
  return validate(schema, doc, [NoDeprecatedCustomRule]).map((e) => {
    const field = /^The field (\w+)\.(\w+) is deprecated\./.exec(e.message);
    return { coordinate: field ? `${field[1]}.${field[2]}` : e.message, message: e.message };
  });
}

// "Use `shopAddress` instead." -> true when Shop has no shopAddress in this version.
function replacementMissing(schema: GraphQLSchema, coordinate: string, message: string): boolean {
  const [typeName] = coordinate.split(".");
  const replacement = /Use `(\w+)` instead/.exec(message)?.[1];
  const type = typeName ? schema.getType(typeName) : undefined;
  if (!replacement || !type || !("getFields" in type)) return false;
  return !(replacement in type.getFields());
}

describe("Admin GraphQL documents in app/adapters/shopify-admin/queries.ts", () => {
  it("exports only #graphql documents, each with a unique operation name", () => {
    expect(documents.length).toBeGreaterThan(0);
    const operationNames: string[] = [];
    for (const { name, value } of documents) {
      expect(typeof value, `${name} should be a GraphQL document string`).toBe("string");
      expect((value as string).trimStart().startsWith("#graphql"), `${name} must start with #graphql for codegen`).toBe(
        true,
      );
      for (const def of parsed(name).definitions) {
        if (def.kind === Kind.OPERATION_DEFINITION) {
          expect(def.name?.value, `${name} needs a named operation (errors and cost tracking use it)`).toBeTruthy();
          operationNames.push(def.name!.value);
        }
      }
    }
    expect(new Set(operationNames).size).toBe(operationNames.length);
  });

  for (const version of [...new Set([OUR_VERSION, NEWEST_VERSION])]) {
    describe(`against the Admin schema ${version}`, () => {
      for (const { name } of documents) {
        it(`${name} is valid`, () => {
          expect(validationErrors(schemaFor(version), parsed(name))).toEqual([]);
        });

        it(`${name} uses no deprecated field, argument or enum value`, () => {
          const uses = deprecatedUses(schemaFor(version), parsed(name)).filter(
            (use) => !PENDING_REPLACEMENTS.includes(use.coordinate),
          );
          expect(uses.map((u) => u.message)).toEqual([]);
        });
      }
    });
  }

  it(`tolerates a deprecated field only while its replacement is missing from ${OUR_VERSION}`, () => {
    const schema = schemaFor(OUR_VERSION);
    const used = new Map<string, string>();
    for (const { name } of documents) {
      for (const use of deprecatedUses(schema, parsed(name))) used.set(use.coordinate, use.message);
    }
    for (const coordinate of PENDING_REPLACEMENTS) {
      const message = used.get(coordinate);
      expect(message, `${coordinate} is no longer used: drop it from PENDING_REPLACEMENTS`).toBeDefined();
      expect(
        replacementMissing(schema, coordinate, message!),
        `${coordinate}'s replacement exists in ${OUR_VERSION}: switch to it (${message})`,
      ).toBe(true);
    }
  });

  it("would catch a wrong field, a deprecated field and an undeclared variable", () => {
    const schema = schemaFor(OUR_VERSION);
    expect(validationErrors(schema, parse("query Bad { shop { nmae } }"))).not.toEqual([]);
    expect(validationErrors(schema, parse("query Bad { product(id: $id) { title } }"))).not.toEqual([]);
    expect(deprecatedUses(schema, parse("query Old { customers(first: 1) { nodes { email } } }"))).toEqual([
      expect.objectContaining({ coordinate: "Customer.email" }),
    ]);
  });

  it("has generated types for every operation (run npm run codegen after changing a query)", () => {
    const generated = fs.readFileSync(path.resolve(__dirname, "../../app/types/admin.generated.d.ts"), "utf8");
    const keys = new Set(
      [...generated.matchAll(/^\s*("#graphql(?:[^"\\]|\\.)*"): \{return:/gm)].map((m) => JSON.parse(m[1]!) as string),
    );
    for (const { name, value } of documents) {
      if (isFragmentOnly(parsed(name))) continue;
      expect(keys.has(value as string), `app/types/admin.generated.d.ts has no types for ${name}`).toBe(true);
    }
  });
});
