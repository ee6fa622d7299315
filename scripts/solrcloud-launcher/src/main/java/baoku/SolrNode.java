package baoku;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * One SolrCloud node on 127.0.0.1, joined to a running ZooKeeper, until the process is killed.
 *
 * <p>Usage: SolrNode SOLR_HOME PORT ZK_HOST. SOLR_HOME must hold solr.xml (scripts/solrcloud
 * writes it). Each node is its own JVM so that a test can SIGKILL one and the cluster lives.
 */
public final class SolrNode {
  private SolrNode() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: SolrNode SOLR_HOME PORT ZK_HOST");
      System.exit(2);
    }
    Path home = Path.of(args[0]);
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      System.err.println("no solr.xml in " + home);
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    Properties props = new Properties();
    props.setProperty("zkHost", args[2]);
    props.setProperty("hostPort", Integer.toString(port));
    System.setProperty("host", "127.0.0.1");
    System.setProperty("zkHost", args[2]);
    JettyConfig config =
        JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();
    JettySolrRunner runner = new JettySolrRunner(home.toString(), props, config);
    runner.start();
    System.out.println("SolrNode up " + runner.getBaseUrl());
    System.out.flush();
    Thread.currentThread().join();
  }
}
