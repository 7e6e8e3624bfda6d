import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { guard, isAbove } from '../config/conditions';
import { CompartmentSettings } from '../config/settings';
import {
  ENV,
  HEALTH_PATH,
  READY_PATH,
  RUN_AS_GROUP,
  RUN_AS_USER,
  SERVICE_PORT,
} from '../service/contract';
import { builtInAnnotations, objectLabels, selectorLabels, SyncWave } from './metadata';
import { hardenedContainer, hardenedPod, TMP_MOUNT, TMP_VOLUME } from './security';

export interface CompartmentProps {
  /** The compartment's settings: name, replicas, resources, delay, breaker. */
  readonly settings: CompartmentSettings;

  /** The namespace of every object. */
  readonly namespace: string;

  /** The price image reference (`repository:tag` or `repository@digest`). */
  readonly image: string;

  /** The image pull policy. */
  readonly imagePullPolicy: string;
}

/** Name of the Service port, which the meshes use to tell the protocol. */
export const HTTP_PORT_NAME = 'http';

/**
 * One isolated pool of compute running the price service: a Deployment, a Service on
 * the service port and, with more than one replica, a PodDisruptionBudget that keeps all
 * but one pod up during voluntary disruptions.
 */
export class Compartment extends Construct {
  /** The compartment's name, shared by its Deployment, Service and mesh objects. */
  readonly name: string;

  /** The labels that select the compartment's pods. */
  readonly selector: Record<string, string>;

  /** The port the Service and the pods listen on. */
  readonly port = SERVICE_PORT;

  /** The compartment's settings. */
  readonly settings: CompartmentSettings;

  constructor(scope: Construct, id: string, props: CompartmentProps) {
    super(scope, id);
    this.settings = props.settings;
    this.name = props.settings.name;
    this.selector = selectorLabels(this.name);

    const metadata = (): k8s.ObjectMeta => ({
      name: this.name,
      namespace: props.namespace,
      labels: objectLabels(this.name, 'compartment'),
      annotations: builtInAnnotations(SyncWave.WORKLOADS),
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: metadata(),
      spec: {
        replicas: props.settings.replicas,
        selector: { matchLabels: this.selector },
        template: {
          metadata: { labels: objectLabels(this.name, 'compartment') },
          spec: this.podSpec(props),
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: metadata(),
      spec: {
        selector: this.selector,
        ports: [
          {
            name: HTTP_PORT_NAME,
            port: this.port,
            targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME),
            appProtocol: 'http',
          },
        ],
      },
    });

    const several = isAbove(props.settings.replicas, 1);
    if (several.holds) {
      const budget = new k8s.KubePodDisruptionBudget(this, 'Budget', {
        metadata: metadata(),
        spec: {
          maxUnavailable: k8s.IntOrString.fromNumber(1),
          selector: { matchLabels: this.selector },
        },
      });
      guard(budget, '', several);
    }
  }

  private podSpec(props: CompartmentProps): k8s.PodSpec {
    const { settings } = props;
    return {
      automountServiceAccountToken: false,
      // Longer than the write delay, so that writes in flight finish during a rollout.
      terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds,
      securityContext: hardenedPod(RUN_AS_GROUP),
      volumes: [TMP_VOLUME],
      containers: [
        {
          name: 'price',
          image: props.image,
          imagePullPolicy: props.imagePullPolicy,
          ports: [{ name: HTTP_PORT_NAME, containerPort: this.port, protocol: 'TCP' }],
          env: [
            { name: ENV.port, value: String(this.port) },
            { name: ENV.databaseDelay, value: settings.databaseDelay },
            { name: ENV.writeWorkingMemory, value: settings.writeWorkingMemory },
            { name: ENV.shutdownGrace, value: `${settings.terminationGracePeriodSeconds}s` },
          ],
          resources: {
            requests: quantities(settings.resources.requests),
            limits: quantities(settings.resources.limits),
          },
          livenessProbe: probe(HEALTH_PATH, 10, 3),
          readinessProbe: probe(READY_PATH, 5, 2),
          securityContext: hardenedContainer(RUN_AS_USER, RUN_AS_GROUP),
          volumeMounts: [TMP_MOUNT],
        },
      ],
    };
  }
}

function quantities(resources: { readonly cpu: string; readonly memory: string }) {
  return {
    cpu: k8s.Quantity.fromString(resources.cpu),
    memory: k8s.Quantity.fromString(resources.memory),
  };
}

function probe(path: string, periodSeconds: number, failureThreshold: number): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString(HTTP_PORT_NAME) },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  };
}
