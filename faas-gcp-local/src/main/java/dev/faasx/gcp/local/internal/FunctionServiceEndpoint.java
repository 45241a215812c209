package dev.faasx.gcp.local.internal;

import com.google.cloud.functions.v2.CreateFunctionRequest;
import com.google.cloud.functions.v2.DeleteFunctionRequest;
import com.google.cloud.functions.v2.Environment;
import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.FunctionServiceGrpc;
import com.google.cloud.functions.v2.GenerateUploadUrlRequest;
import com.google.cloud.functions.v2.GenerateUploadUrlResponse;
import com.google.cloud.functions.v2.GetFunctionRequest;
import com.google.cloud.functions.v2.ListFunctionsRequest;
import com.google.cloud.functions.v2.ListFunctionsResponse;
import com.google.cloud.functions.v2.ListRuntimesRequest;
import com.google.cloud.functions.v2.ListRuntimesResponse;
import com.google.cloud.functions.v2.StorageSource;
import com.google.cloud.functions.v2.UpdateFunctionRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** The emulated {@code google.cloud.functions.v2.FunctionService}. */
public final class FunctionServiceEndpoint extends FunctionServiceGrpc.FunctionServiceImplBase {
    private static final int DEFAULT_PAGE = 50;

    private final LocalFunctions functions;
    private final Uploads uploads;
    private final IntSupplier httpPort;

    public FunctionServiceEndpoint(LocalFunctions functions, Uploads uploads, IntSupplier httpPort) {
        this.functions = functions;
        this.uploads = uploads;
        this.httpPort = httpPort;
    }

    @Override
    public void getFunction(GetFunctionRequest request, StreamObserver<Function> observer) {
        answer(observer, () -> functions.get(request.getName()));
    }

    @Override
    public void listFunctions(ListFunctionsRequest request, StreamObserver<ListFunctionsResponse> observer) {
        answer(observer, () -> {
            List<Function> all = functions.list(request.getParent());
            int offset = 0;
            if (!request.getPageToken().isEmpty()) {
                try {
                    offset = Integer.parseInt(request.getPageToken());
                } catch (NumberFormatException e) {
                    throw LocalFunctions.invalid("page_token '" + request.getPageToken() + "' is not valid");
                }
            }
            int size = request.getPageSize() > 0 ? Math.min(request.getPageSize(), 1000) : DEFAULT_PAGE;
            int from = Math.min(Math.max(offset, 0), all.size());
            int to = Math.min(from + size, all.size());
            ListFunctionsResponse.Builder response = ListFunctionsResponse.newBuilder().addAllFunctions(all.subList(from, to));
            if (to < all.size()) {
                response.setNextPageToken(Integer.toString(to));
            }
            return response.build();
        });
    }

    @Override
    public void createFunction(CreateFunctionRequest request, StreamObserver<com.google.longrunning.Operation> observer) {
        answer(observer, () -> io(() -> functions.create(request.getParent(), request.getFunctionId(), request.getFunction())));
    }

    @Override
    public void updateFunction(UpdateFunctionRequest request, StreamObserver<com.google.longrunning.Operation> observer) {
        answer(observer, () -> io(() -> functions.update(request.getFunction(),
                request.hasUpdateMask() ? request.getUpdateMask() : null)));
    }

    @Override
    public void deleteFunction(DeleteFunctionRequest request, StreamObserver<com.google.longrunning.Operation> observer) {
        answer(observer, () -> functions.delete(request.getName()));
    }

    @Override
    public void generateUploadUrl(GenerateUploadUrlRequest request, StreamObserver<GenerateUploadUrlResponse> observer) {
        answer(observer, () -> {
            LocalFunctions.location(request.getParent());
            if (request.getEnvironment() == Environment.GEN_1) {
                throw LocalFunctions.invalid("the local emulator serves 2nd gen functions only");
            }
            String id = uploads.newUpload();
            return GenerateUploadUrlResponse.newBuilder()
                    .setUploadUrl("http://127.0.0.1:" + httpPort.getAsInt() + "/upload/" + id)
                    .setStorageSource(StorageSource.newBuilder().setBucket(Uploads.BUCKET).setObject(id + ".zip"))
                    .build();
        });
    }

    @Override
    public void listRuntimes(ListRuntimesRequest request, StreamObserver<ListRuntimesResponse> observer) {
        answer(observer, () -> {
            ListRuntimesResponse.Builder response = ListRuntimesResponse.newBuilder();
            for (String runtime : FunctionBuild.RUNTIMES.stream().sorted().toList()) {
                response.addRuntimes(ListRuntimesResponse.Runtime.newBuilder().setName(runtime)
                        .setDisplayName("Java " + runtime.substring(4)).setEnvironment(Environment.GEN_2)
                        .setStage(ListRuntimesResponse.RuntimeStage.GA));
            }
            return response.build();
        });
    }

    private interface IoSupplier<T> {
        T get() throws java.io.IOException;
    }

    private static <T> T io(IoSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (java.io.IOException e) {
            throw Status.INTERNAL.withDescription("the emulator cannot serve the function: " + e.getMessage())
                    .asRuntimeException();
        }
    }

    static <T> void answer(StreamObserver<T> observer, Supplier<T> action) {
        T value;
        try {
            value = action.get();
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        } catch (RuntimeException e) {
            observer.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
            return;
        }
        observer.onNext(value);
        observer.onCompleted();
    }
}
