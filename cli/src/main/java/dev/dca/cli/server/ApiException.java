package dev.dca.cli.server;

/** A request the server refuses, with its HTTP status and OpenAI-style error type, param and code. */
final class ApiException extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    static ApiException badRequest(String message, String param) {
        return new ApiException(400, "invalid_request_error", message, param, null);
    }

    static ApiException badRequest(String message, String param, String code) {
        return new ApiException(400, "invalid_request_error", message, param, code);
    }
}
