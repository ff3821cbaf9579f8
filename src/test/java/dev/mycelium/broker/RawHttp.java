package dev.mycelium.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Requests written byte for byte, as HTTP clients will not send them (a forged
 * {@code Host}, two of them, a malformed URL): the broker's whole answer, read until it
 * closes the connection.
 */
public final class RawHttp {

	private RawHttp() {
	}

	public static String exchange(int port, String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
