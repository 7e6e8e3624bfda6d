import { Construct } from 'constructs';
import { Compartment } from '../../constructs/compartment';
import { customResourceAnnotations, SyncWave } from '../../constructs/metadata';
import * as gatewayApi from '../../imports/gateway.networking.k8s.io';
import { EdgeGateway } from './gateway';

export interface PriceRouteProps {
  /** Name of the HTTPRoute. */
  readonly name: string;

  /** The namespace. */
  readonly namespace: string;

  /** The Gateway the route attaches to, on its HTTP listener. */
  readonly gateway: EdgeGateway;

  /** The compartments to route to, one named rule each. */
  readonly compartments: readonly Compartment[];
}

/**
 * The routing half of the bulkhead on Envoy Gateway: an HTTPRoute on the gateway's
 * listener with one rule per compartment, named after it, that sends the compartment's
 * method and path prefix to its Service. The rule names are what the compartments'
 * BackendTrafficPolicies attach to.
 */
export class PriceRoute extends Construct {
  /** The HTTPRoute's name. */
  readonly routeName: string;

  constructor(scope: Construct, id: string, props: PriceRouteProps) {
    super(scope, id);
    this.routeName = props.name;

    new gatewayApi.HttpRoute(this, 'Route', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        annotations: customResourceAnnotations(SyncWave.ROUTES),
      },
      spec: {
        parentRefs: [{ name: props.gateway.gatewayName, sectionName: props.gateway.listenerName }],
        rules: props.compartments.map(ruleFor),
      },
    });
  }
}

/** The name of the compartment's rule in the HTTPRoute. */
export function ruleName(compartment: Compartment): string {
  return compartment.name;
}

function ruleFor(compartment: Compartment): gatewayApi.HttpRouteSpecRules {
  const { route } = compartment.settings;
  return {
    name: ruleName(compartment),
    matches: [
      {
        method: route.method as gatewayApi.HttpRouteSpecRulesMatchesMethod,
        path: {
          type: gatewayApi.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX,
          value: route.pathPrefix,
        },
      },
    ],
    backendRefs: [{ name: compartment.name, port: compartment.port }],
  };
}
