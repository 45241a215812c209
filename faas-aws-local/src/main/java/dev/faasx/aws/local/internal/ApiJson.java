package dev.faasx.aws.local.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON helpers for the emulator's request and response bodies. */
final class ApiJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private ApiJson() {
    }

    static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The request body as a JSON object; a body that is not one is Lambda's InvalidRequestContentException. */
    /** Checks that an Invoke payload is JSON; Lambda takes any JSON value (object, array, string, number...). */
    static void requireJson(byte[] payload) {
        try (var parser = MAPPER.createParser(payload)) {
            if (parser.nextToken() == null) {
                throw new IOException("empty");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new IOException("more than one value");
            }
        } catch (IOException e) {
            throw new ApiError(400, "InvalidRequestContentException", "Could not parse request body into json");
        }
    }

    static JsonNode read(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiError(400, "InvalidRequestContentException", "Could not parse request body into json");
            }
            return node;
        } catch (IOException e) {
            throw new ApiError(400, "InvalidRequestContentException",
                    "Could not parse request body into json");
        }
    }

    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> {
                if (!e.getValue().isTextual()) {
                    throw ApiError.invalid("value of " + e.getKey() + " must be a string");
                }
                map.put(e.getKey(), e.getValue().asText());
            });
        }
        return map;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
