"""What is known about one file: names resolved through imports, evidence, data flow, facts, suppressions."""
