package dev.faasx.gcp.local.internal;

import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.ListOperationsResponse;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Empty;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** The emulated {@code google.longrunning.Operations} service, on which clients poll deployments. */
public final class OperationsEndpoint extends OperationsGrpc.OperationsImplBase {
    private final Operations operations;

    public OperationsEndpoint(Operations operations) {
        this.operations = operations;
    }

    @Override
    public void getOperation(GetOperationRequest request, StreamObserver<Operation> observer) {
        FunctionServiceEndpoint.answer(observer, () -> operations.poll(request.getName()).orElseThrow(() ->
                Status.NOT_FOUND.withDescription("Operation '" + request.getName() + "' was not found").asRuntimeException()));
    }

    @Override
    public void listOperations(ListOperationsRequest request, StreamObserver<ListOperationsResponse> observer) {
        FunctionServiceEndpoint.answer(observer, () -> ListOperationsResponse.newBuilder()
                .addAllOperations(operations.list(request.getName())).build());
    }

    @Override
    public void deleteOperation(DeleteOperationRequest request, StreamObserver<Empty> observer) {
        FunctionServiceEndpoint.answer(observer, () -> {
            if (!operations.delete(request.getName())) {
                throw Status.NOT_FOUND.withDescription("Operation '" + request.getName() + "' was not found")
                        .asRuntimeException();
            }
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void waitOperation(WaitOperationRequest request, StreamObserver<Operation> observer) {
        FunctionServiceEndpoint.answer(observer, () -> {
            long deadline = System.nanoTime() + Math.min(60_000, Math.max(1, request.getTimeout().getSeconds() * 1000))
                    * 1_000_000L;
            while (true) {
                Operation op = operations.poll(request.getName()).orElseThrow(() -> Status.NOT_FOUND
                        .withDescription("Operation '" + request.getName() + "' was not found").asRuntimeException());
                if (op.getDone() || System.nanoTime() > deadline) {
                    return op;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return op;
                }
            }
        });
    }
}
