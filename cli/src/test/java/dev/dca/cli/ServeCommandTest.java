package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {

    @Test
    void serve_binds_loopback_by_default() throws Exception {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--model", "m");
        assertThat(InetAddress.getByName(cmd.host).isLoopbackAddress()).isTrue();
        assertThat(cmd.port).isEqualTo(8080);
        assertThat(cmd.apiKey).isNull();
    }
}
