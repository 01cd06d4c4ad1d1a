// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Commit first (bound to the sender), reveal later: a copied reveal does not match the copier's commitment.
contract RiddleBounty {
    bytes32 public immutable answerHash;
    mapping(address => bytes32) public commitments;
    mapping(address => uint256) public committedAt;

    constructor(bytes32 hash) payable {
        answerHash = hash;
    }

    function commit(bytes32 commitment) external {
        commitments[msg.sender] = commitment;
        committedAt[msg.sender] = block.number;
    }

    function reveal(string calldata answer, bytes32 salt) external {
        require(committedAt[msg.sender] != 0 && committedAt[msg.sender] < block.number, "commit first");
        require(keccak256(abi.encodePacked(msg.sender, answer, salt)) == commitments[msg.sender], "not committed");
        require(keccak256(abi.encodePacked(answer)) == answerHash, "wrong");
        delete commitments[msg.sender];
        payable(msg.sender).transfer(address(this).balance);
    }
}
