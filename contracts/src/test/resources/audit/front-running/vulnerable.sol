// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Pays whoever first submits the word whose hash is stored.
contract RiddleBounty {
    bytes32 public immutable answerHash;

    constructor(bytes32 hash) payable {
        answerHash = hash;
    }

    function solve(string calldata answer) external {
        require(keccak256(abi.encodePacked(answer)) == answerHash, "wrong");
        payable(msg.sender).transfer(address(this).balance);
    }
}
