/**
 * The wire model of the faasx FaaS platform spec: spec v1 (compatible with the Blueprint Custom FaaS Platform Spec
 * v1) plus additive, optional extensions.
 *
 * <p>Messages are records: {@link dev.faasx.core.spec.InvokeRequest} and {@link dev.faasx.core.spec.InvokeResponse}
 * for invocations, {@link dev.faasx.core.spec.DeployConfig} (the {@code X-Blueprint-Config} header),
 * {@link dev.faasx.core.spec.DeployResponse}, {@link dev.faasx.core.spec.FunctionInfo},
 * {@link dev.faasx.core.spec.HealthResponse}, {@link dev.faasx.core.spec.WarmResponse},
 * {@link dev.faasx.core.spec.DeleteResponse} and {@link dev.faasx.core.spec.ErrorBody} for management.
 * {@link dev.faasx.core.spec.SpecCodec} turns them into JSON and back; {@link dev.faasx.core.spec.SpecErrors} turns a
 * failed HTTP answer into a typed {@link dev.faasx.core.FaasException}.
 *
 * <p>The extensions (call id and metadata in both directions, base64 payloads, reported figures, worker mode and
 * keep-warm) are optional fields: a spec v1 peer that ignores them still works, and a v1 message decodes with them
 * absent.
 */
package dev.faasx.core.spec;
