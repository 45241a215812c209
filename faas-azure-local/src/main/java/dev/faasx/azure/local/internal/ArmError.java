package dev.faasx.azure.local.internal;

/** An error answered in Azure Resource Manager's shape: {@code {"error":{"code","message"}}} with a status. */
public final class ArmError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public ArmError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ArmError notFound(String code, String message) {
        return new ArmError(404, code, message);
    }

    public static ArmError badRequest(String code, String message) {
        return new ArmError(400, code, message);
    }
}
