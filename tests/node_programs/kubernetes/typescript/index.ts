import * as k8s from "@pulumi/kubernetes";

const labels = { app: "ranker" };
const ns = new k8s.core.v1.Namespace("serving", {
    metadata: { labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
});
const deployment = new k8s.apps.v1.Deployment("ranker", {
    metadata: { namespace: ns.metadata.name },
    spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [{
                    name: "server",
                    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ranker:1.4.2",
                    ports: [{ containerPort: 8080 }],
                    securityContext: { privileged: true, allowPrivilegeEscalation: true },
                    resources: { limits: { cpu: "2", memory: "4Gi" }, requests: { cpu: "1", memory: "2Gi" } },
                }],
            },
        },
    },
});
new k8s.core.v1.Service("ranker", {
    metadata: { namespace: ns.metadata.name },
    spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
}, { dependsOn: [deployment] });
export const namespace = ns.metadata.name;
