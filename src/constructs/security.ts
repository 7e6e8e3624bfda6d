import { k8s } from 'cdk8s-plus-27';

/**
 * The hardened defaults of our own containers: no root, no privilege escalation, no
 * capabilities, the runtime's seccomp profile and a read-only root filesystem.
 */
export function hardenedContainer(user: number, group: number): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: group,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The pod-level counterpart: volumes owned by the group and the runtime's seccomp profile.
 * The user is set per container, not per pod, because a mesh injects containers of its own
 * (App Mesh's and Istio's init containers must run as root to set up traffic redirection).
 */
export function hardenedPod(group: number): k8s.PodSecurityContext {
  return { fsGroup: group, seccompProfile: { type: 'RuntimeDefault' } };
}

/** A small writable /tmp for containers whose root filesystem is read-only. */
export const TMP_VOLUME: k8s.Volume = {
  name: 'tmp',
  emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') },
};

/** Where TMP_VOLUME is mounted. */
export const TMP_MOUNT: k8s.VolumeMount = { name: 'tmp', mountPath: '/tmp' };
