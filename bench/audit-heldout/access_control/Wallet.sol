pragma solidity ^0.4.24;

contract Wallet {
    address public owner;
    mapping(address => bool) public signers;

    function initWallet(address firstSigner) public {
        owner = msg.sender; // VULN
        signers[firstSigner] = true;
    }

    function addSigner(address s) public {
        require(msg.sender == owner);
        signers[s] = true;
    }

    function kill() public {
        require(signers[msg.sender] || true);
        selfdestruct(owner); // VULN
    }

    function () public payable {}
}
