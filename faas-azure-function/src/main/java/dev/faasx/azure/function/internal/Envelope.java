package dev.faasx.azure.function.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The Functions host's custom-handler messages for an HTTP-triggered function whose request is not forwarded as is:
 * the host POSTs {@code {"Data":{"req":{"Url","Method","Query","Headers","Params","Body"}},"Metadata":{...}}} to
 * {@code /<FunctionName>} and reads {@code {"Outputs":{"res":{"statusCode","status","body","headers"}},"Logs":[],
 * "ReturnValue":null}} back.
 */
public final class Envelope {
    /** The trigger binding's name in the function.json the executor writes. */
    public static final String REQUEST_BINDING = "req";
    /** The HTTP output binding's name in that function.json. */
    public static final String RESPONSE_BINDING = "res";

    private final ObjectMapper mapper;

    public Envelope() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
                .build();
        this.mapper = JsonMapper.builder(factory).build();
    }

    /**
     * The HTTP request body the host put into {@code Data.req.Body}: a string as UTF-8 bytes; the host sends
     * {@code application/octet-stream} bodies as base64, which is decoded when {@code base64Body} says so.
     *
     * @throws IllegalArgumentException when the message is not a custom-handler request
     */
    public byte[] requestBody(byte[] message) {
        JsonNode root;
        try {
            root = mapper.readTree(message);
        } catch (IOException e) {
            throw new IllegalArgumentException("the request is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("Data").isObject()) {
            throw new IllegalArgumentException("the request has no \"Data\" object");
        }
        JsonNode req = root.path("Data").path(REQUEST_BINDING);
        if (!req.isObject()) {
            throw new IllegalArgumentException("the request has no \"Data\"." + REQUEST_BINDING + " object");
        }
        JsonNode body = req.get("Body");
        if (body == null || body.isNull()) {
            return new byte[0];
        }
        if (!body.isTextual()) {
            // A JSON body the host passed on as a JSON value.
            return body.toString().getBytes(StandardCharsets.UTF_8);
        }
        String text = body.textValue();
        return contentTypeIsBinary(req.path("Headers")) ? Base64.getDecoder().decode(text)
                : text.getBytes(StandardCharsets.UTF_8);
    }

    /** The answer carrying {@code body} (JSON text) with {@code status} and the given extra headers. */
    public byte[] response(int status, byte[] body, String... headerPairs) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode res = root.putObject("Outputs").putObject(RESPONSE_BINDING);
        res.put("statusCode", status);
        res.put("status", status);
        res.put("body", new String(body, StandardCharsets.UTF_8));
        ObjectNode headers = res.putObject("headers");
        headers.put("Content-Type", "application/json");
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            if (headerPairs[i + 1] != null) {
                headers.put(headerPairs[i], headerPairs[i + 1]);
            }
        }
        root.putArray("Logs");
        root.putNull("ReturnValue");
        try {
            return mapper.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a custom-handler response", e);
        }
    }

    private static boolean contentTypeIsBinary(JsonNode headers) {
        JsonNode value = null;
        for (var it = headers.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase("Content-Type")) {
                value = e.getValue();
            }
        }
        String type = value == null ? "" : value.isArray() ? value.path(0).asText("") : value.asText("");
        return type.toLowerCase(java.util.Locale.ROOT).startsWith("application/octet-stream");
    }
}
