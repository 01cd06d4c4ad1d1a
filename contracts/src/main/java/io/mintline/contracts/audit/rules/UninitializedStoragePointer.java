package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;

/**
 * Before 0.5 a local struct or array declared without a location and without a value is a storage
 * pointer to slot 0: writing its fields overwrites the first state variables (the OpenAddressLottery
 * honeypot). 0.5 made it a compile error.
 */
final class UninitializedStoragePointer extends Rule {
  UninitializedStoragePointer() {
    super("uninitialized-storage-pointer", "SWC-109", Category.OTHER, Severity.HIGH,
        "An uninitialised local storage struct or array points at slot 0; writing it overwrites the first state variables.",
        "Declare locals as memory, or initialise the storage pointer from a state variable (solc >= 0.5 refuses the bug).");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode stmt : program.all("VariableDeclarationStatement")) {
      if (stmt.child("initialValue").isPresent()) continue;
      for (AstNode decl : stmt.list("declarations")) {
        boolean pointer = decl.typeIdentifier().endsWith("_storage_ptr") || decl.typeString().endsWith("storage pointer");
        if (!pointer || decl.text("storageLocation").equals("memory") || !program.version().before(0, 5, 0)) continue;
        findings.report(this, decl, "'" + decl.name() + "' is an uninitialised storage pointer: it aliases slot 0 "
            + "and writing it overwrites the contract's first state variables.");
      }
    }
  }
}
