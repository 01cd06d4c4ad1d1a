package io.mintline.devnet.ledger;

/**
 * An application as recorded by the devnet. Its programs are stored and served, never run.
 */
public record AppState(long id, String creator, String address, byte[] approvalProgram,
    byte[] clearStateProgram, long globalUints, long globalByteSlices, long localUints,
    long localByteSlices, long extraPages) {

  AppState withPrograms(byte[] approval, byte[] clear) {
    return new AppState(id, creator, address, approval, clear, globalUints, globalByteSlices,
        localUints, localByteSlices, extraPages);
  }
}
