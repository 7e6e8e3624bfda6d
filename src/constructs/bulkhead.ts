import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { guard, isOn, isSet, pick } from '../config/conditions';
import { Settings } from '../config/settings';
import { COMPARTMENT_KEYS, MeshRendering } from '../mesh/model';
import { Compartment } from './compartment';
import { LoadTester } from './load-tester';
import { builtInAnnotations, PART_OF, SyncWave } from './metadata';

export interface BulkheadChartProps extends ChartProps {
  /** Every setting of the system (validated, or the chart's placeholders). */
  readonly settings: Settings;

  /** How the mesh layer is rendered. */
  readonly mesh: MeshRendering;
}

/**
 * The whole bulkhead system: the labelled namespace, the read and write compartments,
 * the mesh objects that route to them and guard them, and the Vegeta load tester.
 */
export class BulkheadChart extends Chart {
  /** The compartments, write first. */
  readonly compartments: readonly Compartment[];

  constructor(scope: Construct, id: string, props: BulkheadChartProps) {
    super(scope, id, props);
    const { settings, mesh } = props;
    const namespace = settings.namespace.name;

    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: namespace,
        labels: { 'app.kubernetes.io/part-of': PART_OF, ...mesh.namespaceLabels(settings) },
        annotations: builtInAnnotations(SyncWave.NAMESPACE),
      },
    });

    const image = imageReference(settings.image);
    this.compartments = COMPARTMENT_KEYS.map(
      (key) =>
        new Compartment(this, key === 'priceWrite' ? 'PriceWrite' : 'PriceRead', {
          settings: settings[key],
          namespace,
          image,
          imagePullPolicy: settings.image.pullPolicy,
        }),
    );

    mesh.render(this, { settings, namespace, compartments: this.compartments });

    const loadTesterOn = isOn(settings.loadTester.enabled);
    if (loadTesterOn.holds) {
      const tester = new LoadTester(this, 'LoadTester', {
        name: settings.loadTester.name,
        namespace,
        image: settings.loadTester.image,
        podAnnotations: mesh.outsideMeshAnnotations(),
      });
      guard(tester.deployment, '', loadTesterOn);
    }
  }
}

/** `repository@digest` when a digest is set, else `repository:tag`. */
export function imageReference(image: Settings['image']): string {
  return pick(
    isSet(image.digest),
    `${image.repository}@${image.digest}`,
    `${image.repository}:${image.tag}`,
  );
}
