import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

/**
 * Schema checks for rendered objects: custom resources against the openAPIV3Schema of
 * their CRD in ../shared/crds, built-in kinds against the Kubernetes OpenAPI models of the
 * `kubernetes-models` package. Each check returns a list of problems, empty when valid.
 */

/** Where the reference CRDs live, beside the project (never copied into it). */
export const SHARED_CRDS = join(__dirname, '..', '..', '..', 'shared', 'crds');

/** Whether ../shared/crds is present; schema tests skip with a notice without it. */
export function sharedCrdsPresent(): boolean {
  return existsSync(SHARED_CRDS);
}

type KubeObject = { apiVersion: string; kind: string; metadata?: { name?: string } };

let crdValidators: Map<string, ValidateFunction> | undefined;

/** `group/version Kind` → validator, for every CRD version in ../shared/crds. */
function validators(): Map<string, ValidateFunction> {
  if (crdValidators) return crdValidators;
  // The CRDs use Kubernetes extensions and formats such as int64: strict mode and format
  // checks must be off for ajv to compile them.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  crdValidators = new Map();
  for (const file of yamlFiles(SHARED_CRDS)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!schema) continue;
        crdValidators.set(
          `${crd.spec.group}/${version.name} ${crd.spec.names.kind}`,
          ajv.compile(schema),
        );
      }
    }
  }
  return crdValidators;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

/** Where kubernetes-models keeps the model of a built-in apiVersion. */
function builtInModule(apiVersion: string): string {
  return apiVersion.includes('/')
    ? `kubernetes-models/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
}

function label(object: KubeObject): string {
  return `${object.kind} ${object.metadata?.name ?? '(no name)'}`;
}

/** Problems of one object against its schema. */
export function schemaProblems(object: KubeObject): string[] {
  const key = `${object.apiVersion} ${object.kind}`;
  const validate = validators().get(key);
  if (validate) {
    if (validate(object)) return [];
    return (validate.errors ?? []).map(
      (e) => `${label(object)}: ${e.instancePath || '/'} ${e.message}`,
    );
  }
  let Model: new (data: unknown) => { validate(): void };
  try {
    Model = require(`${builtInModule(object.apiVersion)}/${object.kind}`)[object.kind];
  } catch {
    return [`${label(object)}: no schema known for ${key}`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${label(object)}: ${(error as Error).message}`];
  }
}

/** Problems of every object against its schema. */
export function allSchemaProblems(objects: readonly unknown[]): string[] {
  return objects.flatMap((object) => schemaProblems(object as KubeObject));
}
